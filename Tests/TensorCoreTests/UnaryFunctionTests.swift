import Foundation
import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// Element-wise functions: polynomial kernels vs double-precision libm, and
/// finite-difference gradients of every function (step 1e-2, rtol 1e-2, atol 1e-3).
final class UnaryFunctionTests: XCTestCase {
    /// Inputs on [-8, 8] avoiding the kinks at 0 (relu, leaky relu) and the clamp bounds.
    static let grid: Tensor = {
        var v: [Float] = []
        for i in 0..<161 { v.append(-8 + Float(i) * 0.1 + 0.0123) }
        return Tensor(v)
    }()

    func reference(_ f: UnaryFunction, _ x: Double) -> Double {
        switch f {
        case .negate: return -x
        case .exp: return Foundation.exp(x)
        case .log: return Foundation.log(x)
        case .tanh: return Foundation.tanh(x)
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .relu: return max(x, 0)
        case .leakyRelu(let s): return x > 0 ? x : Double(s) * x
        case .silu: return x / (1 + Foundation.exp(-x))
        case .geluErf: return 0.5 * x * erfc(-x / 2.0.squareRoot())
        case .geluTanh:  // x·σ(2u) = ½x(1 + tanh u), without the reference's own cancellation for x ≪ 0
            return x / (1 + Foundation.exp(-2 * (2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .softplus: return x > 20 ? x : log1p(Foundation.exp(x))
        case .square: return x * x
        case .sqrt: return x.squareRoot()
        case .clamp(let lo, let hi): return min(max(x, Double(lo)), Double(hi))
        }
    }

    static let all: [UnaryFunction] = [.negate, .exp, .log, .tanh, .sigmoid, .relu, .leakyRelu(slope: 0.1), .silu,
                                       .geluErf, .geluTanh, .softplus, .square, .sqrt, .clamp(min: -0.5, max: 0.7)]

    /// Forward accuracy over [-8, 8] (positive part for log/sqrt) and a wide range for exp/log:
    /// within 2e-6 relative (+1e-30 absolute) of libm in Double — a few float ulps — except the
    /// GELUs (1e-5: in the far negative tail erfc(t) = exp(−t² + …) inherits the rounding of t² ≈ 18).
    func testForwardMatchesDoublePrecisionReference() {
        for f in Self.all {
            let x = (f == .log || f == .sqrt) ? Self.grid.applying(.square) + 1e-3 : Self.grid
            let y = x.applying(f)
            let expected = x.scalars.map { Float(reference(f, Double($0))) }
            let rtol: Float = (f == .geluErf || f == .geluTanh) ? 1e-5 : 2e-6
            assertClose(y.scalars, expected, relativeTolerance: rtol, absoluteTolerance: 1e-30, "\(f)")
        }
        let wide = Tensor((0..<400).map { -86 + Float($0) * 0.43 })
        assertClose(wide.exp().scalars, wide.scalars.map { Float(Foundation.exp(Double($0))) }, relativeTolerance: 2e-6, absoluteTolerance: 0)
        let positive = Tensor((0..<400).map { Float(Foundation.pow(10.0, -37.0 + Double($0) * 0.18)) })
        assertClose(positive.log().scalars, positive.scalars.map { Float(Foundation.log(Double($0))) }, relativeTolerance: 1e-6, absoluteTolerance: 1e-7)
    }

    func testSpecialValues() {
        XCTAssertEqual(Tensor([100]).exp().scalar, .infinity)
        XCTAssertEqual(Tensor([-100]).exp().scalar, 0)
        XCTAssertEqual(Tensor([0]).log().scalar, -.infinity)
        XCTAssertTrue(Tensor([-1]).log().scalar.isNaN)
        XCTAssertEqual(Tensor([-100]).sigmoid().scalar, 0)
        XCTAssertEqual(Tensor([30]).softplus().scalar, 30)
        // tiny softplus keeps relative precision (log1p path): softplus(-20) = 2.0611536e-9
        assertClose(Tensor([-20]).softplus().scalar, 2.0611536e-9, relativeTolerance: 1e-5, absoluteTolerance: 0)
        // subnormal input to log (≈ 1e-40)
        let tiny = Float(bitPattern: 0x0001_16C2)
        assertClose(Tensor([tiny]).log().scalar, Float(Foundation.log(Double(tiny))), relativeTolerance: 1e-6)
    }

    func testGradientsOfEveryFunction() {
        var g = SeededGenerator(seed: 7)
        for f in Self.all {
            var x = Tensor(shape: [3, 5], uniformLow: -3, high: 3, generator: &g)
            if f == .log || f == .sqrt { x = x.applying(.square) + 0.5 }
            // keep away from kinks: |x| > 0.05, and away from clamp bounds
            x = Tensor(shape: x.shape, scalars: x.scalars.map { abs($0) < 0.05 ? $0 + 0.2 : $0 })
            x = Tensor(shape: x.shape, scalars: x.scalars.map { abs($0 + 0.5) < 0.05 || abs($0 - 0.7) < 0.05 ? $0 + 0.13 : $0 })
            checkGradients(inputs: [x]) { _, v in v[0].applying(f) }
        }
    }

    func testNamedMethodsMatchApplying() {
        let x = Self.grid
        XCTAssertEqual(x.silu(), x.applying(.silu))
        XCTAssertEqual(x.gelu(approximateTanh: true), x.applying(.geluTanh))
        XCTAssertEqual(x.leakyRelu(), x.applying(.leakyRelu(slope: 0.01)))
        XCTAssertEqual(x.clamped(min: -1, max: 1), x.applying(.clamp(min: -1, max: 1)))
        var y = x
        y.apply(.tanh)
        XCTAssertEqual(y, x.tanh())
        var out = Tensor(zeros: [161])
        Tensor.apply(.sigmoid, x, into: &out)
        XCTAssertEqual(out, x.sigmoid())
    }
}
