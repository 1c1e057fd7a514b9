import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import WorldModels
import XCTest

/// The backbones' layers against PyTorch (Tests/NNTests/Fixtures/torch_layers.json,
/// read from the source tree): `mamba_block` = torch_bench.MambaBlock(d 4, d_state 3,
/// expand 2, d_conv 4) as ``MambaBlock``'s parallel form and its recurrent steps;
/// outputs and the gradients of Σ output ⊙ R for the input and every parameter.
final class MambaBlockFixtureTests: XCTestCase {
    struct Case {
        var parameters: [String: (shape: [Int], values: [Float])] = [:]
        var input: Tensor, output: Tensor, lossWeights: Tensor, inputGradient: Tensor
        var parameterGradients: [String: [Float]] = [:]
    }

    static func loadCase(_ name: String) throws -> Case {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NNTests/Fixtures/torch_layers.json")
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        let raw = try XCTUnwrap(cases.first { $0["name"] as? String == name }, "no case \(name)")
        func flatten(_ value: Any) -> [Float] {
            if let n = value as? NSNumber { return [n.floatValue] }
            if let a = value as? [Any] { return a.flatMap(flatten) }
            return []
        }
        func tensor(_ v: Any?) throws -> Tensor {
            let d = try XCTUnwrap(v as? [String: Any], "\(name): malformed array")
            let shape = try XCTUnwrap(d["shape"] as? [Int], "\(name): array without shape")
            return Tensor(shape: shape, scalars: flatten(d["values"] ?? []))
        }
        func first(_ key: String) throws -> Any { try XCTUnwrap((raw[key] as? [Any])?.first, "\(name): no \(key)") }
        let input = try tensor(first("inputs"))
        var c = Case(input: input, output: try tensor(first("outputs")), lossWeights: try tensor(first("loss_weights")),
                     inputGradient: Tensor(shape: input.shape, scalars: flatten(try first("input_gradients"))))
        for (k, v) in try XCTUnwrap(raw["parameters"] as? [String: Any]) {
            let t = try tensor(v)
            c.parameters[k] = (t.shape, t.scalars)
        }
        for (k, v) in try XCTUnwrap(raw["parameter_gradients"] as? [String: Any]) { c.parameterGradients[k] = flatten(v) }
        return c
    }

    /// Copies the fixture's parameters into `module` by name (shapes must agree).
    static func load(_ c: Case, into module: Module) throws {
        for (name, p) in module.namedParameters() {
            let f = try XCTUnwrap(c.parameters[name], "fixture has no parameter \(name)")
            XCTAssertEqual(f.shape, p.shape, name)
            p.value = Tensor(shape: p.shape, scalars: f.values)
        }
    }

    /// Output and every gradient of Σ output ⊙ R against the fixture, to `tolerance` relative to each array's max.
    static func check(_ c: Case, module: Module, tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line,
                      _ forward: (Variable) -> Variable) {
        let tape = Tape()
        let x = tape.variable(c.input)
        let y = forward(x)
        assertClose(y.value, c.output, relativeTolerance: tolerance, absoluteTolerance: tolerance, file: file, line: line)
        let named = module.namedParameters()
        let grads = tape.gradients(of: y, withRespectTo: [x] + named.map { tape.variable($0.1) }, seed: c.lossWeights)
        assertClose(grads[0], c.inputGradient, relativeTolerance: tolerance, absoluteTolerance: tolerance, file: file, line: line)
        for (k, (name, p)) in named.enumerated() {
            guard let expected = c.parameterGradients[name] else { XCTFail("fixture has no gradient of \(name)", file: file, line: line); continue }
            // Relative to this array's own largest gradient (not max(1, ·)): A_log's and dt_proj's
            // gradients are ~1e-3, and an absolute floor of 1e-4 would pass a zeroed entry.
            let scale = max(expected.map(abs).max() ?? 0, .leastNormalMagnitude)
            assertClose(grads[k + 1], Tensor(shape: p.shape, scalars: expected), relativeTolerance: tolerance,
                        absoluteTolerance: tolerance * scale, file: file, line: line)
        }
    }

    func testMambaBlockMatchesTorch() throws {
        let c = try Self.loadCase("mamba_block")
        var g = SeededGenerator(seed: 0)
        let block = MambaBlock(modelSize: 4, stateSize: 3, expand: 2, convSize: 4, generator: &g)
        XCTAssertEqual(block.dtRank, 1)  // ⌈4 / 16⌉
        try Self.load(c, into: block)
        Self.check(c, module: block) { block($0, resetMask: nil) }
        // the recurrent form reproduces the fixture's output step by step
        let (b, t, d) = (c.input.shape[0], c.input.shape[1], c.input.shape[2])
        var conv = Tensor(zeros: [b, block.innerSize, block.convSize - 1]), ssm = Tensor(zeros: [b, block.innerSize, block.stateSize])
        for s in 0..<t {
            let y = block.step(c.input.slice(axis: 1, s..<(s + 1)).reshaped([b, d]), conv: &conv, ssm: &ssm)
            assertClose(y, c.output.slice(axis: 1, s..<(s + 1)).reshaped([b, d]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        }
    }
}
