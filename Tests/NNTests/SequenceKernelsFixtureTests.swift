import Foundation
import NN
import XCTest

/// The sequence kernels against the PyTorch reference fixtures
/// (Fixtures/torch_layers.json, cases `s4d_real` and `mamba_block`; see
/// /work/shared/fixtures/README.md): outputs and the gradients of
/// loss = Σ output ⊙ R for every parameter and the input.
///
/// - `s4d_real` is torch_bench.S4DReal(H=3, N=4) = `S4DRealKernel` + `S4DConvolution`.
/// - `mamba_block`: see `SequenceKernelsMambaBlockTests`.
final class SequenceKernelsFixtureTests: XCTestCase {
    /// One fixture case with every array flattened row-major.
    struct Case {
        var parameters: [String: [Float]] = [:]
        var input: [Float] = []
        var output: [Float] = []
        var lossWeights: [Float] = []
        var parameterGradients: [String: [Float]] = [:]
        var inputGradient: [Float] = []
    }

    static func flatten(_ value: Any) -> [Float] {
        if let n = value as? NSNumber { return [n.floatValue] }
        if let a = value as? [Any] { return a.flatMap(flatten) }
        return []
    }

    static func loadCase(_ name: String) throws -> Case {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "torch_layers", withExtension: "json", subdirectory: "Fixtures"),
                                "Fixtures/torch_layers.json is missing from the NNTests bundle")
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        let raw = try XCTUnwrap(cases.first { $0["name"] as? String == name }, "no case \(name)")
        var c = Case()
        for (k, v) in try XCTUnwrap(raw["parameters"] as? [String: Any]) {
            c.parameters[k] = flatten((v as? [String: Any])?["values"] ?? [])
        }
        for (k, v) in try XCTUnwrap(raw["parameter_gradients"] as? [String: Any]) { c.parameterGradients[k] = flatten(v) }
        func first(_ key: String) throws -> Any { try XCTUnwrap((raw[key] as? [Any])?.first, "\(name): no \(key)") }
        c.input = flatten((try first("inputs") as? [String: Any])?["values"] ?? [])
        c.output = flatten((try first("outputs") as? [String: Any])?["values"] ?? [])
        c.lossWeights = flatten((try first("loss_weights") as? [String: Any])?["values"] ?? [])
        c.inputGradient = flatten(try first("input_gradients"))
        return c
    }

    static func assertMatches(_ actual: [Float], _ expected: [Float]?, _ what: String, tolerance: Double,
                       file: StaticString = #filePath, line: UInt = #line) {
        guard let expected else { return XCTFail("fixture has no \(what)", file: file, line: line) }
        XCTAssertEqual(actual.count, expected.count, "\(what): size", file: file, line: line)
        guard actual.count == expected.count else { return }
        let err = SeqKernelCheck.relativeError(actual, expected)
        SeqKernelCheck.report("fixture \(what)", err)
        XCTAssertLessThan(err, tolerance, "\(what): relative error \(err)", file: file, line: line)
    }

    // MARK: - s4d_real

    func testS4DRealMatchesTorch() throws {
        let c = try Self.loadCase("s4d_real")
        let (bs, l, h, n) = (2, 6, 3, 4)
        let p = try ["log_dt", "log_A", "B", "C", "D"].map { try XCTUnwrap(c.parameters[$0], $0) }
        let kernel = S4DRealKernel(channels: h, stateSize: n, length: l)
        let conv = S4DConvolution(batch: bs, length: l, channels: h)
        let logDt = KernelTestBuffer(p[0]), logA = KernelTestBuffer(p[1]), b = KernelTestBuffer(p[2])
        let cc = KernelTestBuffer(p[3]), d = KernelTestBuffer(p[4]), u = KernelTestBuffer(c.input)
        let k = KernelTestBuffer(zeros: l * h), y = KernelTestBuffer(zeros: bs * l * h)
        kernel.forward(logDt: logDt.r, logA: logA.r, B: b.r, C: cc.r, K: k.w)
        conv.forward(u: u.r, K: k.r, D: d.r, y: y.w)
        Self.assertMatches(y.array, c.output, "s4d_real output", tolerance: 1e-5)

        let dy = KernelTestBuffer(c.lossWeights), du = KernelTestBuffer(zeros: bs * l * h)
        let dK = KernelTestBuffer(zeros: l * h), dD = KernelTestBuffer(zeros: h)
        conv.backward(u: u.r, K: k.r, D: d.r, dy: dy.r, du: du.w, dK: dK.w, dD: dD.w)
        let gDt = KernelTestBuffer(zeros: h), gA = KernelTestBuffer(zeros: h * n)
        let gB = KernelTestBuffer(zeros: h * n), gC = KernelTestBuffer(zeros: h * n)
        kernel.backward(logDt: logDt.r, logA: logA.r, B: b.r, C: cc.r, dK: dK.r,
                        dLogDt: gDt.w, dLogA: gA.w, dB: gB.w, dC: gC.w)
        withExtendedLifetime((logDt, logA, b, cc, d, u, dy)) {}
        Self.assertMatches(du.array, c.inputGradient, "s4d_real d input", tolerance: 1e-5)
        Self.assertMatches(dD.array, c.parameterGradients["D"], "s4d_real d D", tolerance: 1e-5)
        Self.assertMatches(gDt.array, c.parameterGradients["log_dt"], "s4d_real d log_dt", tolerance: 1e-5)
        Self.assertMatches(gA.array, c.parameterGradients["log_A"], "s4d_real d log_A", tolerance: 1e-4)
        Self.assertMatches(gB.array, c.parameterGradients["B"], "s4d_real d B", tolerance: 1e-5)
        Self.assertMatches(gC.array, c.parameterGradients["C"], "s4d_real d C", tolerance: 1e-5)
    }
}
