import Foundation
import SeededRandom
import XCTest

/// Helpers shared by the sequence-kernel tests: seeded random buffers, central
/// differences with Richardson extrapolation, and error measures.
///
/// Gradient checks evaluate `loss = Σ R ⊙ output` (R fixed random weights, the
/// same form as the PyTorch fixtures) from the Float kernel's outputs, summed in
/// Double. The numerical derivative is the Richardson-extrapolated central
/// difference (4·D(h/2) - D(h)) / 3 with D(h) = (L(x+h) - L(x-h)) / 2h and
/// h = 1e-2, whose truncation error is O(h⁴); the Float rounding of the outputs
/// then dominates, ~1e-5 relative. The error reported is
/// max_i |analytic_i - numeric_i| / max(max_i |numeric_i|, 1e-3), and the checks
/// require it below `SeqKernelCheck.gradientTolerance` (5e-4; measured ≤ 5e-5).
enum SeqKernelCheck {
    static let gradientTolerance = 5e-4
    static let step: Float = 1e-2
    /// SSM_KERNEL_VERBOSE=1 prints every measured error (for reports).
    static let verbose = ProcessInfo.processInfo.environment["SSM_KERNEL_VERBOSE"] == "1"

    static func report(_ label: String, _ value: Double) {
        if verbose { print("[seq-kernels] \(label): \(value)") }
    }

    static func normal(_ count: Int, std: Float = 1, mean: Float = 0, _ rng: inout SeededGenerator) -> [Float] {
        (0 ..< count).map { _ in rng.normal(mean: mean, std: std) }
    }

    static func uniform(_ count: Int, _ low: Float, _ high: Float, _ rng: inout SeededGenerator) -> [Float] {
        (0 ..< count).map { _ in rng.uniform(low, high) }
    }

    /// Σ weights ⊙ values in Double.
    static func dot(_ values: [Float], _ weights: [Float]) -> Double {
        precondition(values.count == weights.count)
        var s = 0.0
        for i in values.indices { s += Double(values[i]) * Double(weights[i]) }
        return s
    }

    /// Richardson-extrapolated central-difference gradient of `loss` at `x`.
    static func numericalGradient(_ x: [Float], loss: ([Float]) -> Double) -> [Double] {
        var probe = x
        func diff(_ i: Int, _ h: Float) -> Double {
            probe[i] = x[i] + h
            let plus = loss(probe)
            probe[i] = x[i] - h
            let minus = loss(probe)
            probe[i] = x[i]
            // The step actually taken in Float.
            return (plus - minus) / (Double(x[i] + h) - Double(x[i] - h))
        }
        return x.indices.map { i in (4 * diff(i, step / 2) - diff(i, step)) / 3 }
    }

    /// max |a - n| / max(max |n|, 1e-3).
    static func gradientError(_ analytic: [Float], _ numeric: [Double]) -> Double {
        precondition(analytic.count == numeric.count)
        var maxErr = 0.0, scale = 1e-3
        for i in analytic.indices {
            maxErr = max(maxErr, abs(Double(analytic[i]) - numeric[i]))
            scale = max(scale, abs(numeric[i]))
        }
        return maxErr / scale
    }

    /// Checks one gradient against central differences and returns the error.
    @discardableResult
    static func checkGradient(_ name: String, analytic: [Float], at x: [Float], loss: ([Float]) -> Double,
                              file: StaticString = #filePath, line: UInt = #line) -> Double {
        let err = gradientError(analytic, numericalGradient(x, loss: loss))
        report("gradient \(name)", err)
        XCTAssertLessThan(err, gradientTolerance, "gradient of \(name): relative error \(err)", file: file, line: line)
        return err
    }

    /// max |a - b| / max(max |b|, floor).
    static func relativeError(_ a: [Float], _ b: [Float], floor: Double = 1e-6) -> Double {
        precondition(a.count == b.count, "sizes \(a.count) vs \(b.count)")
        var maxErr = 0.0, scale = floor
        for i in a.indices {
            maxErr = max(maxErr, abs(Double(a[i]) - Double(b[i])))
            scale = max(scale, abs(Double(b[i])))
        }
        return maxErr / scale
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        var m: Float = 0
        for i in a.indices { m = max(m, abs(a[i] - b[i])) }
        return m
    }
}

/// Tests of the checker itself: it must pass a correct gradient and flag a wrong one.
final class SequenceKernelsGradientCheckTests: XCTestCase {
    func testCheckerAcceptsCorrectAndRejectsWrongGradient() {
        var rng = SeededGenerator(seed: 1)
        let x = SeqKernelCheck.normal(6, &rng)
        let loss: ([Float]) -> Double = { v in v.reduce(0.0) { $0 + Double(exp($1) * sin($1)) } }
        let exact = x.map { exp($0) * (sin($0) + cos($0)) }
        let numeric = SeqKernelCheck.numericalGradient(x, loss: loss)
        XCTAssertLessThan(SeqKernelCheck.gradientError(exact, numeric), 1e-4)
        var wrong = exact
        wrong[3] += 0.01 * exact.map(abs).max()!  // a 1 % error in one entry
        XCTAssertGreaterThan(SeqKernelCheck.gradientError(wrong, numeric), SeqKernelCheck.gradientTolerance)
    }
}

/// A heap Float buffer for calling the pointer-based kernels from array-based tests.
final class KernelTestBuffer {
    let storage: UnsafeMutableBufferPointer<Float>

    init(_ values: [Float]) {
        storage = .allocate(capacity: values.count)
        _ = storage.initialize(from: values)
    }

    convenience init(zeros count: Int) { self.init([Float](repeating: 0, count: count)) }

    var r: UnsafeBufferPointer<Float> { UnsafeBufferPointer(storage) }
    var w: UnsafeMutableBufferPointer<Float> { storage }
    var array: [Float] { Array(storage) }

    deinit { storage.deallocate() }
}
