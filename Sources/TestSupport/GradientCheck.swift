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
/// Pass: `|analytic − numeric| ≤ atol' + rtol · max(|analytic|, |numeric|)` for every element, where
/// `atol' = min(atol, arrayScaleCap · max |numeric|)` over the element's array: an absolute floor never
/// wider than a fraction of the array's own gradients. An element outside it passes only within twice
/// the spread of its central differences at h/4 … 2h (what finite differences cannot resolve).
/// Cost: 2 forward passes per checked element; use small shapes.
public func checkGradients(inputs: [Tensor], parameters: [Parameter] = [],
                           step: Float = 1e-2, relativeTolerance: Float = 1e-2, absoluteTolerance: Float = 1e-3,
                           arrayScaleCap: Float = 0.05,
                           seed: UInt64 = 0x5eed, file: StaticString = #filePath, line: UInt = #line,
                           _ f: (Tape, [Variable]) -> Variable) {
    let report = gradientCheckReport(inputs: inputs, parameters: parameters, step: step, relativeTolerance: relativeTolerance,
                                     absoluteTolerance: absoluteTolerance, arrayScaleCap: arrayScaleCap, seed: seed, f)
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
                                arrayScaleCap: Float = 0.05,
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
    // L's rounding floor: a small perturbation moves each Float32 output y_i by whole ulps at random,
    // so L carries noise of about sqrt(Σ (ulp(y_i) · R_i)²), and a central difference that over h
    // (from the forward pass already taken for the analytic gradients).
    let lossFloor: Double = {
        var sum = 0.0
        for i in 0..<out.value.count { let u = Double(out.value.scalars[i].ulp) * Double(r.scalars[i]); sum += u * u }
        return sum.squareRoot()
    }()
    // One array at a time, its element i read and written through `get`/`set`. The absolute floor is
    // capped at `arrayScaleCap` of the array's largest numeric gradient, so an array of small gradients
    // (an SSM's A_log, dt_proj) is not checked against a floor wider than its own entries. An element
    // outside that is re-measured with steps h/4, h/2 and 2h: where the central differences disagree,
    // Float32 rounding noise (∝ 1/h) or curvature limits what finite differences can resolve, and the
    // element passes within that spread plus L's rounding floor over h (such arrays need a
    // reference-value check, e.g. the PyTorch fixtures); where they agree, the analytic gradient must match.
    func check(_ name: String, analytic a: [Float], get: (Int) -> Float, set: (Int, Float) -> Void) {
        func h(_ i: Int) -> Float { step * max(1, abs(get(i))) }
        func numeric(_ i: Int, scale: Float = 1) -> Float {
            let x = get(i)
            let xp = x + scale * h(i), xm = x - scale * h(i)
            set(i, xp); let lp = loss()
            set(i, xm); let lm = loss()
            set(i, x)
            return Float((lp - lm) / (Double(xp) - Double(xm)))
        }
        let n = a.indices.map { numeric($0) }
        let atol = min(absoluteTolerance, arrayScaleCap * (n.map(abs).max() ?? 0))
        for i in a.indices {
            report.checked += 1
            let err = abs(a[i] - n[i])
            report.maxError = max(report.maxError, err)
            let bound = atol + relativeTolerance * max(abs(a[i]), abs(n[i]))
            guard !(err <= bound) else { continue }
            let spread = [0.25, 0.5, 2].map { abs(numeric(i, scale: $0) - n[i]) }.max()!
            let resolution = Float(lossFloor) / h(i)
            if !(err <= bound + 2 * spread + 2 * resolution) || !err.isFinite {
                report.failures.append("\(name)[\(i)]: analytic \(a[i]) vs numeric \(n[i]) (atol \(atol), finite-difference spread \(spread), resolution \(resolution))")
            }
        }
    }
    for k in 0..<current.count {
        check("input \(k)", analytic: analytic[k].scalars, get: { current[k].scalars[$0] }, set: { current[k].scalars[$0] = $1 })
    }
    for (k, p) in parameters.enumerated() {
        check("parameter \(k) \(p.shape)", analytic: analytic[inputs.count + k].scalars,
              get: { p.value.scalars[$0] }, set: { p.value.scalars[$0] = $1 })
    }
    return report
}
