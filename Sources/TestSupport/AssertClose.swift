import TensorCore
import XCTest

/// Asserts `actual ≈ expected` element-wise with NumPy's `allclose` rule:
/// `|actual − expected| ≤ absoluteTolerance + relativeTolerance · |expected|`.
/// Shapes must match. On failure reports the number of mismatches, the worst
/// element (index, both values) and the maximum absolute error, at the caller's
/// `file:line:`. Returns the maximum absolute error (for reports).
@discardableResult
public func assertClose(_ actual: Tensor, _ expected: Tensor,
                        relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6,
                        _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) -> Float {
    guard actual.shape == expected.shape else {
        XCTFail("assertClose: shapes \(actual.shape) and \(expected.shape) differ. \(message())", file: file, line: line)
        return .infinity
    }
    return assertClose(actual.scalars, expected.scalars, relativeTolerance: relativeTolerance,
                       absoluteTolerance: absoluteTolerance, message(), file: file, line: line)
}

/// `assertClose` over flat arrays of equal length.
@discardableResult
public func assertClose(_ actual: [Float], _ expected: [Float],
                        relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6,
                        _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) -> Float {
    guard actual.count == expected.count else {
        XCTFail("assertClose: \(actual.count) values vs \(expected.count) expected. \(message())", file: file, line: line)
        return .infinity
    }
    var maxError: Float = 0, worst = -1, worstExcess: Float = -.infinity, failures = 0
    for i in 0..<actual.count {
        let err = actual[i] == expected[i] ? 0 : abs(actual[i] - expected[i])  // equal infinities match
        let allowed = absoluteTolerance + relativeTolerance * abs(expected[i])
        if !(err <= allowed) {  // also catches NaN
            failures += 1
            if err - allowed > worstExcess || err.isNaN { worstExcess = err - allowed; worst = i }
        }
        maxError = max(maxError, err.isNaN ? .infinity : err)
    }
    if failures > 0 {
        XCTFail("assertClose: \(failures)/\(actual.count) elements differ; worst [\(worst)] \(actual[worst]) vs expected \(expected[worst]); max |error| \(maxError) (rtol \(relativeTolerance), atol \(absoluteTolerance)). \(message())",
                file: file, line: line)
    }
    return maxError
}

/// `assertClose` for single values.
public func assertClose(_ actual: Float, _ expected: Float,
                        relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6,
                        _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    assertClose([actual], [expected], relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance,
                message(), file: file, line: line)
}
