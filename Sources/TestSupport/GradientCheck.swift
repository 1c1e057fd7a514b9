import SeededRandom
import TensorCore
import XCTest

/// Finite-difference check of reverse-mode gradients.
///
/// The checked scalar is `L = Σ f(inputs, parameters) ⊙ R` for a fixed random
/// `R ~ N(0, 1)` (seeded by `seed`), so every output element's gradient path
/// is exercised with distinct weights. For every element `x` of every input
/// and parameter, the analytic `∂L/∂x` from the tape is compared with the
/// central difference
///
///     (L(x + h) − L(x − h)) / ((x + h) − (x − h)),   h = step · max(1, |x|),
///
/// where the denominator uses the Float32-rounded perturbed values and `L` is
/// accumulated in Double from the Float32 outputs. Float32 forward passes make
/// L noisy at ~1e-7·Σ|f·R|, so the numeric derivative carries an error of about
/// that over 2h plus the O(h²) truncation term; the defaults (step 1e-2,
/// rtol 1e-2, atol 1e-3) hold for smooth ops on O(1) inputs. Keep inputs of
/// kinked ops (relu, clamp, max) farther than h from their kinks.
///
/// Pass: `|analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|)` for every element.
/// Cost: 2 forward passes per checked element; use small shapes.
public func checkGradients(inputs: [Tensor], parameters: [Parameter] = [],
                           step: Float = 1e-2, relativeTolerance: Float = 1e-2, absoluteTolerance: Float = 1e-3,
                           seed: UInt64 = 0x5eed, file: StaticString = #filePath, line: UInt = #line,
                           _ f: (Tape, [Variable]) -> Variable) {
    let report = gradientCheckReport(inputs: inputs, parameters: parameters, step: step, relativeTolerance: relativeTolerance,
                                     absoluteTolerance: absoluteTolerance, seed: seed, f)
    if !report.failures.isEmpty {
        XCTFail("checkGradients: \(report.failures.count)/\(report.checked) elements off (max |error| \(report.maxError), rtol \(relativeTolerance), atol \(absoluteTolerance)): "
                + report.failures.prefix(6).joined(separator: "; "), file: file, line: line)
    }
}

/// Outcome of a finite-difference gradient check (see ``checkGradients(inputs:parameters:step:relativeTolerance:absoluteTolerance:seed:file:line:_:)``).
public struct GradientCheckReport {
    /// Number of elements compared.
    public var checked = 0
    /// Largest |analytic − numeric| seen.
    public var maxError: Float = 0
    /// One line per element outside the tolerance.
    public var failures: [String] = []
}

/// The comparison behind `checkGradients`, returned instead of asserted.
public func gradientCheckReport(inputs: [Tensor], parameters: [Parameter] = [],
                                step: Float = 1e-2, relativeTolerance: Float = 1e-2, absoluteTolerance: Float = 1e-3,
                                seed: UInt64 = 0x5eed, _ f: (Tape, [Variable]) -> Variable) -> GradientCheckReport {
    // analytic
    let tape = Tape()
    let vars = inputs.map { tape.variable($0) }
    let out = f(tape, vars)
    var generator = SeededGenerator(seed: seed)
    let r = Tensor(shape: out.shape, normalMean: 0, std: 1, generator: &generator)
    let leaves = vars + parameters.map { tape.variable($0) }
    let analytic = tape.gradients(of: out, withRespectTo: leaves, seed: r)

    var current = inputs
    func loss() -> Double {
        let t = Tape(differentiating: [])
        let y = f(t, current.map { t.constant($0) }).value
        precondition(y.shape == r.shape, "checkGradients: output shape changed from \(r.shape) to \(y.shape)")
        var s = 0.0
        for i in 0..<y.count { s += Double(y.scalars[i]) * Double(r.scalars[i]) }
        return s
    }

    var report = GradientCheckReport()
    func numeric(_ get: () -> Float, _ set: (Float) -> Void) -> Float {
        let x = get()
        let h = step * max(1, abs(x))
        let xp = x + h, xm = x - h
        set(xp); let lp = loss()
        set(xm); let lm = loss()
        set(x)
        return Float((lp - lm) / (Double(xp) - Double(xm)))
    }
    func compare(_ name: String, _ i: Int, _ a: Float, _ n: Float) {
        report.checked += 1
        let err = abs(a - n)
        report.maxError = max(report.maxError, err)
        if !(err <= absoluteTolerance + relativeTolerance * max(abs(a), abs(n))) {
            report.failures.append("\(name)[\(i)]: analytic \(a) vs numeric \(n)")
        }
    }
    for k in 0..<current.count {
        for i in 0..<current[k].count {
            let n = numeric({ current[k].scalars[i] }, { current[k].scalars[i] = $0 })
            compare("input \(k)", i, analytic[k].scalars[i], n)
        }
    }
    for (k, p) in parameters.enumerated() {
        for i in 0..<p.count {
            let n = numeric({ p.value.scalars[i] }, { p.value.scalars[i] = $0 })
            compare("parameter \(k) \(p.shape)", i, analytic[inputs.count + k].scalars[i], n)
        }
    }
    return report
}
