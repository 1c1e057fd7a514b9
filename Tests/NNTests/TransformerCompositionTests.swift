import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// An integration check of the generic core: the `transformer_encoder_layer` fixture
/// (torch.nn.TransformerEncoderLayer d 8, 2 heads, ff 16, pre-LN, GELU, causal mask) composed from
/// Linear, LayerNorm, batched matmul with a transpose flag, permute, causal mask and softmax.
/// Outputs and all gradients within rtol 1e-5 / atol 1e-5.
final class TransformerCompositionTests: XCTestCase {
    func testMatchesPyTorchFixture() throws {
        let c = try TorchCase.load("transformer_encoder_layer")
        var g = SeededGenerator(seed: 0)
        let (d, heads, ff) = (8, 2, 16)
        let inProj = Linear(inputSize: d, outputSize: 3 * d, generator: &g)
        let outProj = Linear(inputSize: d, outputSize: d, generator: &g)
        let linear1 = Linear(inputSize: d, outputSize: ff, generator: &g)
        let linear2 = Linear(inputSize: ff, outputSize: d, generator: &g)
        let norm1 = LayerNorm(size: d), norm2 = LayerNorm(size: d)
        let named: [(String, Parameter)] = [
            ("self_attn.in_proj_weight", inProj.weight), ("self_attn.in_proj_bias", inProj.bias!),
            ("self_attn.out_proj.weight", outProj.weight), ("self_attn.out_proj.bias", outProj.bias!),
            ("linear1.weight", linear1.weight), ("linear1.bias", linear1.bias!),
            ("linear2.weight", linear2.weight), ("linear2.bias", linear2.bias!),
            ("norm1.weight", norm1.weight), ("norm1.bias", norm1.bias), ("norm2.weight", norm2.weight), ("norm2.bias", norm2.bias),
        ]
        for (name, p) in named { p.value = c.parameter(name) }

        let x0 = c.inputs[0]
        let (b, t) = (x0.shape[0], x0.shape[1])
        let dh = d / heads
        let mask = Tensor.causalMask(size: t)
        func splitHeads(_ v: Variable) -> Variable {   // [B, T, d] -> [B·H, T, dh]
            v.reshaped([b, t, heads, dh]).permuted([0, 2, 1, 3]).reshaped([b * heads, t, dh])
        }
        let tape = Tape()
        let x = tape.variable(x0)
        let qkv = inProj(norm1(x)).split(sizes: [d, d, d], axis: -1)
        let scores = Variable.matmul(splitHeads(qkv[0]), splitHeads(qkv[1]), transposeB: true) * (1 / Float(dh).squareRoot()) + mask
        let attended = Variable.matmul(scores.softmax(), splitHeads(qkv[2]))
            .reshaped([b, heads, t, dh]).permuted([0, 2, 1, 3]).reshaped([b, t, d])
        let h = x + outProj(attended)
        let y = h + linear2(linear1(norm2(h)).gelu())

        var errors: [Float] = []
        errors.append(assertClose(y.value, c.outputs[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        let grads = tape.gradients(of: y, withRespectTo: [x] + named.map { tape.variable($0.1) }, seed: c.lossWeights[0])
        errors.append(assertClose(grads[0].scalars, c.inputGradients[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "input"))
        for (k, (name, _)) in named.enumerated() {
            errors.append(assertClose(grads[k + 1].scalars, c.parameterGradient(name), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, name))
        }
        print("fixture transformer_encoder_layer (composed) max |error|: \(errors.max()!)")
    }
}
