import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest
@testable import WorldModels

/// The pre-LN encoder layer against PyTorch's `nn.TransformerEncoderLayer` fixture,
/// its parameter names and count, a finite-difference check of the whole block,
/// and the fused LayerNorm against NN's composed one.
final class TransformerEncoderLayerTests: XCTestCase {
    /// `transformer_encoder_layer` of Tests/NNTests/Fixtures/torch_layers.json (d 8, 2 heads, ff 16,
    /// causal, batch 2 × 5 steps), read by a path relative to this file.
    struct Fixture {
        let raw: [String: Any]
        init() throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("NNTests/Fixtures/torch_layers.json")
            let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
            raw = try XCTUnwrap(cases.first { $0["name"] as? String == "transformer_encoder_layer" })
        }
        static func flatten(_ value: Any) -> [Float] {
            if let n = value as? NSNumber { return [n.floatValue] }
            if let a = value as? [Any] { return a.flatMap(flatten) }
            return []
        }
        static func tensor(_ entry: Any) -> Tensor {
            let d = entry as! [String: Any]
            return Tensor(shape: d["shape"] as! [Int], scalars: flatten(d["values"]!))
        }
        func parameter(_ name: String) -> Tensor? { (raw["parameters"] as! [String: Any])[name].map(Self.tensor) }
        func parameterGradient(_ name: String) -> [Float] { Self.flatten((raw["parameter_gradients"] as! [String: Any])[name]!) }
        func first(_ key: String) -> Tensor { Self.tensor((raw[key] as! [Any])[0]) }
        var inputGradient: [Float] { Self.flatten((raw["input_gradients"] as! [Any])[0]) }
    }

    func testMatchesPyTorchFixture() throws {
        let fixture = try Fixture()
        var g = SeededGenerator(seed: 0)
        let layer = TransformerEncoderLayer(modelSize: 8, headCount: 2, feedForwardSize: 16, generator: &g)
        for (name, p) in layer.namedParameters() {
            let value = try XCTUnwrap(fixture.parameter(name), "fixture has no parameter \(name)")
            XCTAssertEqual(value.shape, p.shape, name)
            p.value = value
        }
        XCTAssertEqual((fixture.raw["parameters"] as! [String: Any]).count, layer.namedParameters().count)
        let x0 = fixture.first("inputs")
        var errors: [Float] = []
        for threads in [1, 2] {
            let tape = Tape()
            let x = tape.variable(x0)
            let y = layer(x, starts: nil, threads: threads)
            errors.append(assertClose(y.value, fixture.first("outputs"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
            errors.append(assertClose(layer(x0, starts: nil, threads: threads), fixture.first("outputs"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "no-tape"))
            let leaves = [x] + layer.parameters.map { tape.variable($0) }
            let grads = tape.gradients(of: y, withRespectTo: leaves, seed: fixture.first("loss_weights"))
            errors.append(assertClose(grads[0].scalars, fixture.inputGradient, relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "input"))
            for (k, (name, _)) in layer.namedParameters().enumerated() {
                errors.append(assertClose(grads[k + 1].scalars, fixture.parameterGradient(name), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, name))
            }
        }
        print("fixture transformer_encoder_layer (TransformerEncoderLayer) max |error|: \(errors.max()!)")
    }

    func testParameterNamesAndCount() {
        var g = SeededGenerator(seed: 1)
        let (d, ff) = (16, 40)
        let layer = TransformerEncoderLayer(modelSize: d, headCount: 4, feedForwardSize: ff, generator: &g)
        XCTAssertEqual(layer.namedParameters().map(\.0), [
            "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
            "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"])
        // PyTorch: 3d² + 3d (in_proj) + d² + d (out_proj) + 2·d·ff + ff + d (linear1, linear2) + 4d (norms)
        XCTAssertEqual(layer.parameterCount, 4 * d * d + 4 * d + 2 * d * ff + ff + d + 4 * d)
    }

    func testBlockGradients() {
        var g = SeededGenerator(seed: 2)
        let layer = TransformerEncoderLayer(modelSize: 4, headCount: 2, feedForwardSize: 6, generator: &g)
        // non-trivial norms and biases so every gradient path is exercised
        for p in layer.parameters where p.shape.count == 1 { p.value = Tensor(shape: p.shape, normalMean: 0.5, std: 0.5, generator: &g) }
        let x = Tensor(shape: [2, 3, 4], normalMean: 0, std: 1, generator: &g)
        let starts = CausalAttention.segmentStarts(resetMask: Tensor(shape: [2, 3], scalars: [0, 1, 0, 0, 0, 0]), batch: 2, time: 3)
        checkGradients(inputs: [x], parameters: layer.parameters) { _, v in layer(v[0], starts: starts) }
    }

    func testFusedLayerNormMatchesComposed() {
        var g = SeededGenerator(seed: 3)
        let norm = LayerNorm(size: 6)
        norm.weight.value = Tensor(shape: [6], normalMean: 1, std: 0.3, generator: &g)
        norm.bias.value = Tensor(shape: [6], normalMean: 0, std: 0.3, generator: &g)
        let x0 = Tensor(shape: [4, 6], normalMean: 0.5, std: 2, generator: &g)
        let r = Tensor(shape: [4, 6], normalMean: 0, std: 1, generator: &g)
        var results: [[Tensor]] = []
        for fused in [1, 2, 0] {
            let tape = Tape()
            let x = tape.variable(x0)
            let y = fused > 0 ? norm.fused(x, threads: fused) : norm(x)
            results.append([y.value] + tape.gradients(of: y, withRespectTo: [x, tape.variable(norm.weight), tape.variable(norm.bias)], seed: r))
        }
        for k in 0..<4 {
            assertClose(results[0][k], results[2][k], relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "output/gradient \(k)")
            assertClose(results[1][k], results[2][k], relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "2 threads: output/gradient \(k)")
        }
        assertClose(norm.fused(x0), norm(x0), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        checkGradients(inputs: [x0], parameters: norm.parameters) { _, v in norm.fused(v[0]) }
    }

    func testFusedLinearAndParallelGELUMatchGenericOps() {
        var g = SeededGenerator(seed: 4)
        let linear = Linear(inputSize: 5, outputSize: 3, generator: &g)
        let x0 = Tensor(shape: [2, 4, 5], normalMean: 0, std: 1, generator: &g)
        let r = Tensor(shape: [2, 4, 3], normalMean: 0, std: 1, generator: &g)
        var results: [[Tensor]] = []
        for mode in 0..<3 {
            let tape = Tape()
            let x = tape.variable(x0)
            let y = mode == 0 ? linear(x).gelu() : ParallelGELU.apply(linear.fused(x, threads: mode), threads: mode)
            results.append([y.value] + tape.gradients(of: y, withRespectTo: [x] + linear.parameters.map { tape.variable($0) }, seed: r))
        }
        for mode in 1..<3 {
            for k in 0..<4 { assertClose(results[mode][k], results[0][k], relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "mode \(mode) tensor \(k)") }
        }
        checkGradients(inputs: [x0], parameters: linear.parameters) { _, v in linear.fused(v[0], threads: 2) }
        let noBias = Linear(inputSize: 5, outputSize: 3, bias: false, generator: &g)
        checkGradients(inputs: [x0], parameters: noBias.parameters) { _, v in noBias.fused(v[0]) }
    }

    /// The fused MLP node against `linear2(GELU(linear1(u)))` from generic ops: values and
    /// gradients at 1–3 workers over more rows than one block (row ranges that cut blocks),
    /// without biases too, plus a finite-difference check.
    func testFusedFeedForwardMatchesGenericOps() {
        var g = SeededGenerator(seed: 5)
        let rows = FusedFeedForward.rowBlock + 45
        let u0 = Tensor(shape: [rows, 6], normalMean: 0, std: 1, generator: &g)
        let r = Tensor(shape: [rows, 6], normalMean: 0, std: 1, generator: &g)
        for bias in [true, false] {
            let linear1 = Linear(inputSize: 6, outputSize: 11, bias: bias, generator: &g)
            let linear2 = Linear(inputSize: 11, outputSize: 6, bias: bias, generator: &g)
            let parameters = linear1.parameters + linear2.parameters
            var results: [[Tensor]] = []
            for threads in 0..<4 {
                let tape = Tape()
                let u = tape.variable(u0)
                let y = threads == 0 ? linear2(linear1(u).gelu()) : FusedFeedForward.apply(u, linear1, linear2, threads: threads)
                results.append([y.value] + tape.gradients(of: y, withRespectTo: [u] + parameters.map { tape.variable($0) }, seed: r))
            }
            for threads in 1..<4 {
                for k in results[0].indices {
                    assertClose(results[threads][k], results[0][k], relativeTolerance: 1e-4, absoluteTolerance: 1e-5,
                                "bias \(bias), \(threads) threads, tensor \(k)")
                }
            }
        }
        let linear1 = Linear(inputSize: 3, outputSize: 5, generator: &g), linear2 = Linear(inputSize: 5, outputSize: 3, generator: &g)
        let small = Tensor(shape: [2, 4, 3], normalMean: 0, std: 1, generator: &g)
        checkGradients(inputs: [small], parameters: linear1.parameters + linear2.parameters) { _, v in
            FusedFeedForward.apply(v[0], linear1, linear2, threads: 2)
        }
    }
}
