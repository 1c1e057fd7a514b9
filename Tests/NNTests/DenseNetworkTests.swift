import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

final class DenseNetworkTests: XCTestCase {
    func testParameterCountNamesAndShapes() {
        var g = SeededGenerator(seed: 1)
        let net = DenseNetwork(inputSize: 3, hiddenSizes: [256, 256], outputSize: 2, generator: &g)
        XCTAssertEqual(net.parameterCount, 67_330)  // torch_bench's SAC actor
        XCTAssertEqual(net.layerSizes, [3, 256, 256, 2])
        XCTAssertEqual(net.parameterNames, ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                            "layers.2.weight", "layers.2.bias"])
        XCTAssertEqual(net.namedSlices.map(\.shape), [[256, 3], [256], [256, 256], [256], [2, 256], [2]])
        XCTAssertEqual(net.namedSlices.last!.range.upperBound, net.parameterCount)
        let bound = 1 / Float(3).squareRoot()
        XCTAssertTrue(net.flatParameters[0..<(256 * 3 + 256)].allSatisfy { abs($0) <= bound })
    }

    /// The same seed draws the same weights as the tape-based `MLP` (ReLU), and the
    /// forward pass, parameter gradients and input gradients agree with the tape's.
    func testMatchesTapeMLP() {
        var g1 = SeededGenerator(seed: 7), g2 = SeededGenerator(seed: 7)
        let net = DenseNetwork(inputSize: 5, hiddenSizes: [16, 12], outputSize: 3, generator: &g1)
        let mlp = MLP(inputSize: 5, hiddenSizes: [16, 12], outputSize: 3, activation: .relu, generator: &g2)
        XCTAssertEqual(net.flatParameters, mlp.parameters.flatMap(\.value.scalars))
        XCTAssertEqual(g1, g2, "both consume the same draws")

        let rows = 9
        let x = Tensor(shape: [rows, 5], normalMean: 0, std: 1, generator: &g1)
        let r = Tensor(shape: [rows, 3], normalMean: 0, std: 1, generator: &g1)
        let tape = Tape()
        let xv = tape.variable(x)
        let out = mlp(xv)
        let leaves = [xv] + mlp.parameters.map { tape.variable($0) }
        let expected = tape.gradients(of: out, withRespectTo: leaves, seed: r)

        assertClose(net(x.scalars, rows: rows), out.value.scalars, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        let (parameterGradients, inputGradients) = net.gradients(input: x.scalars, rows: rows, outputGradient: r.scalars)
        assertClose(inputGradients, expected[0].scalars, relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "input gradient")
        assertClose(parameterGradients, expected.dropFirst().flatMap(\.scalars), relativeTolerance: 1e-5, absoluteTolerance: 1e-6,
                    "parameter gradients")
    }

    /// Central differences in Double of L = Σ f(x)·R on an independent Double forward,
    /// for every parameter and input, against the hand-written backward.
    func testFiniteDifferenceGradients() {
        var g = SeededGenerator(seed: 11)
        let net = DenseNetwork(inputSize: 4, hiddenSizes: [7, 6], outputSize: 2, generator: &g)
        let rows = 5
        let x = (0..<(rows * 4)).map { _ in g.normal(mean: 0, std: 1) }
        let r = (0..<(rows * 2)).map { _ in g.normal(mean: 0, std: 1) }
        let reference = ReferenceDenseNetwork(net)
        XCTAssertGreaterThan(reference.smallestPreactivation(x.map(Double.init), rows: rows), 1e-3,
                             "pick another seed: a pre-activation sits on the ReLU kink")
        assertClose(net(x, rows: rows), reference.forward(x.map(Double.init), rows: rows).map { Float($0) },
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "forward vs Double reference")

        let (analyticParameters, analyticInput) = net.gradients(input: x, rows: rows, outputGradient: r)
        let loss = { (p: [Double], x: [Double]) -> Double in
            zip(ReferenceDenseNetwork(parameters: p, layerSizes: net.layerSizes).forward(x, rows: rows), r).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        let p0 = net.flatParameters.map(Double.init), x0 = x.map(Double.init)
        let h = 1e-6
        var numericParameters: [Float] = [], numericInput: [Float] = []
        for i in p0.indices {
            var plus = p0, minus = p0
            plus[i] += h
            minus[i] -= h
            numericParameters.append(Float((loss(plus, x0) - loss(minus, x0)) / (2 * h)))
        }
        for i in x0.indices {
            var plus = x0, minus = x0
            plus[i] += h
            minus[i] -= h
            numericInput.append(Float((loss(p0, plus) - loss(p0, minus)) / (2 * h)))
        }
        assertClose(analyticParameters, numericParameters, relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "parameters")
        assertClose(analyticInput, numericInput, relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "inputs")
    }

    /// Forward and backward over two row blocks, with the gradients computed in output-unit
    /// blocks, give the whole-batch results; skipping parameter gradients leaves them untouched.
    func testRowBlocksAndGradientBlocksMatchTheWholePass() {
        var g = SeededGenerator(seed: 3)
        let net = DenseNetwork(inputSize: 6, hiddenSizes: [200, 40], outputSize: 3, generator: &g)
        let rows = 10
        let x = (0..<(rows * 6)).map { _ in g.normal(mean: 0, std: 1) }
        let r = (0..<(rows * 3)).map { _ in g.normal(mean: 0, std: 1) }
        let whole = net.gradients(input: x, rows: rows, outputGradient: r)

        let ws = net.makeWorkspace(rows: rows)
        var dx = [Float](repeating: 0, count: rows * 6)
        net.gradients.update(repeating: .nan)
        x.withUnsafeBufferPointer { xp in
            for block in [0..<4, 4..<10] {
                net.forward(xp.baseAddress!, rows: block, workspace: ws)
                for i in block.lowerBound * 3 ..< block.upperBound * 3 { ws.outputGradient[i] = r[i] }
                dx.withUnsafeMutableBufferPointer { net.backpropagate(rows: block, workspace: ws, inputGradient: $0.baseAddress!) }
            }
            let blocks = net.gradientBlocks(blocks: 3, splitThreshold: 1000)
            XCTAssertEqual(blocks.filter { $0.layer == 1 }.count, 3)
            XCTAssertEqual(blocks.map(\.cost), blocks.map(\.cost).sorted(by: >))
            XCTAssertEqual(blocks.reduce(0) { $0 + $1.weights.count + $1.biases.count }, net.parameterCount)
            for block in blocks.reversed() { net.computeGradients(block, input: xp.baseAddress!, rows: rows, workspace: ws) }
        }
        assertClose(dx, whole.input, relativeTolerance: 1e-6, absoluteTolerance: 1e-7)
        assertClose(net.flatGradients, whole.parameters, relativeTolerance: 1e-6, absoluteTolerance: 1e-7)

        // input gradient only: the parameter gradients are not written
        net.gradients.update(repeating: 42)
        dx = [Float](repeating: 0, count: rows * 6)
        x.withUnsafeBufferPointer { xp in
            net.forward(xp.baseAddress!, rows: rows, workspace: ws)
            for i in 0..<(rows * 3) { ws.outputGradient[i] = r[i] }
            dx.withUnsafeMutableBufferPointer {
                net.backward(input: xp.baseAddress!, rows: rows, workspace: ws, inputGradient: $0.baseAddress!, parameterGradients: false)
            }
        }
        assertClose(dx, whole.input, relativeTolerance: 1e-6, absoluteTolerance: 1e-7)
        XCTAssertTrue(net.gradients.allSatisfy { $0 == 42 })
    }

    /// A backward pass over rows compacted to the front of a block gives those rows' input gradients.
    func testCompactedRowsBackpropagateLikeTheirOriginals() {
        var g = SeededGenerator(seed: 6)
        let net = DenseNetwork(inputSize: 4, hiddenSizes: [32, 16], outputSize: 1, generator: &g)
        let rows = 12
        let x = (0..<(rows * 4)).map { _ in g.normal(mean: 0, std: 1) }
        let r = (0..<rows).map { _ in g.normal(mean: 0, std: 1) }
        let whole = net.gradients(input: x, rows: rows, outputGradient: r)
        let ws = net.makeWorkspace(rows: rows)
        var dx = [Float](repeating: 0, count: rows * 4)
        let selected = [5, 6, 9, 11]  // from the block 4..<12, to rows 4..<8
        x.withUnsafeBufferPointer { xp in
            net.forward(xp.baseAddress!, rows: rows, workspace: ws)
            for i in 0..<rows { ws.outputGradient[i] = r[i] }
            selected.withUnsafeBufferPointer { ws.compactRows($0.baseAddress!, count: 4, to: 4) }
            dx.withUnsafeMutableBufferPointer { net.backpropagate(rows: 4..<8, workspace: ws, inputGradient: $0.baseAddress!) }
        }
        for (j, row) in selected.enumerated() {
            assertClose(Array(dx[((4 + j) * 4)..<((5 + j) * 4)]), Array(whole.input[(row * 4)..<((row + 1) * 4)]),
                        relativeTolerance: 1e-6, absoluteTolerance: 1e-7, "row \(row)")
        }
    }

    /// Adam over the flat buffer takes the same steps as `NN.Adam` (torch.optim.Adam) on the
    /// same parameters and gradients; split into slices it is the same step.
    func testAdamMatchesNNAdam() {
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let net = DenseNetwork(inputSize: 3, hiddenSizes: [8], outputSize: 2, generator: &g1)
        let mlp = MLP(inputSize: 3, hiddenSizes: [8], outputSize: 2, activation: .relu, generator: &g2)
        let adam = Adam(parameters: mlp.parameters, learningRate: 1e-2)
        for step in 0..<4 {
            let flat = (0..<net.parameterCount).map { _ in g1.normal(mean: 0, std: 1) }
            _ = net.gradients.update(fromContentsOf: flat)
            if step % 2 == 0 {
                net.adamStep(learningRate: 1e-2)
            } else {
                let s = net.beginAdamStep(learningRate: 1e-2)
                net.applyAdam(s, to: 40..<net.parameterCount)
                net.applyAdam(s, to: 0..<40)
            }
            var offset = 0
            var grads: [Tensor] = []
            for p in mlp.parameters {
                grads.append(Tensor(shape: p.shape, scalars: Array(flat[offset..<(offset + p.count)])))
                offset += p.count
            }
            let (_, gradients) = valueWithGradient(of: mlp.parameters) { tape in
                zip(mlp.parameters, grads).map { (tape.variable($0.0) * $0.1).sum() }.reduce(tape.constant(Tensor(0)), +)
            }
            adam.update(gradients)
            assertClose(net.flatParameters, mlp.parameters.flatMap(\.value.scalars), relativeTolerance: 1e-6, absoluteTolerance: 1e-7,
                        "step \(step + 1)")
        }
        XCTAssertEqual(net.optimizerStep, 4)
    }

    func testSoftUpdateAndCopy() {
        var g = SeededGenerator(seed: 9)
        let online = DenseNetwork(inputSize: 2, hiddenSizes: [5], outputSize: 1, generator: &g)
        let target = DenseNetwork(inputSize: 2, hiddenSizes: [5], outputSize: 1, generator: &g)
        let before = target.flatParameters, theta = online.flatParameters
        target.softUpdate(toward: online, tau: 0.25)
        assertClose(target.flatParameters, zip(before, theta).map { 0.75 * $0 + 0.25 * $1 }, relativeTolerance: 1e-6, absoluteTolerance: 1e-7)
        let once = target.flatParameters
        target.softUpdate(toward: online, tau: 0.5, range: 0..<3)
        XCTAssertEqual(Array(target.flatParameters[3...]), Array(once[3...]), "outside the range: unchanged")
        assertClose(Array(target.flatParameters[..<3]), (0..<3).map { 0.5 * once[$0] + 0.5 * theta[$0] })
        target.copyParameters(from: online)
        XCTAssertEqual(target.flatParameters, theta)
        let copy = DenseNetwork(copying: online)
        XCTAssertEqual(copy.flatParameters, theta)
        XCTAssertEqual(copy.optimizerStep, 0)
    }

    func testClipGradientNorm() {
        var g = SeededGenerator(seed: 2)
        let net = DenseNetwork(inputSize: 1, hiddenSizes: [1], outputSize: 1, generator: &g)  // 4 parameters
        _ = net.gradients.update(fromContentsOf: [3, 0, 4, 0] as [Float])
        XCTAssertEqual(net.clipGradientNorm(maxNorm: 10), 5)
        XCTAssertEqual(net.flatGradients, [3, 0, 4, 0])
        XCTAssertEqual(net.clipGradientNorm(maxNorm: 1), 5)
        assertClose(net.flatGradients, [0.6, 0, 0.8, 0], relativeTolerance: 1e-5)
    }

    /// Parameters and Adam state survive a safetensors round trip exactly, under torch names.
    func testCheckpointRoundTrip() throws {
        var g = SeededGenerator(seed: 4)
        let net = DenseNetwork(inputSize: 3, hiddenSizes: [6], outputSize: 2, generator: &g)
        for _ in 0..<3 {
            _ = net.gradients.update(fromContentsOf: (0..<net.parameterCount).map { _ in g.normal(mean: 0, std: 1) })
            net.adamStep(learningRate: 1e-3)
        }
        let tensors = net.checkpointTensors(prefix: "q.").merging(net.optimizerCheckpointTensors(prefix: "opt.")) { a, _ in a }
        XCTAssertEqual(tensors["q.layers.0.weight"]?.shape, [6, 3])
        XCTAssertEqual(tensors["opt.layers.1.bias.exp_avg_sq"]?.shape, [2])
        let file = try SafeTensorsFile(data: SafeTensorsFile(tensors: tensors).encoded())
        try file.check(expecting: net.checkpointShapes(prefix: "q.").merging(net.optimizerCheckpointShapes(prefix: "opt.")) { a, _ in a },
                       label: "test")

        var g2 = SeededGenerator(seed: 99)
        let restored = DenseNetwork(inputSize: 3, hiddenSizes: [6], outputSize: 2, generator: &g2)
        restored.loadCheckpointTensors(file.tensors, prefix: "q.")
        restored.loadOptimizerCheckpointTensors(file.tensors, prefix: "opt.", step: net.optimizerStep)
        XCTAssertEqual(restored.flatParameters, net.flatParameters)
        XCTAssertEqual(restored.adamMoments.first, net.adamMoments.first)
        XCTAssertEqual(restored.adamMoments.second, net.adamMoments.second)
        let grads = (0..<net.parameterCount).map { _ in g.normal(mean: 0, std: 1) }
        for n in [net, restored] {
            _ = n.gradients.update(fromContentsOf: grads)
            n.adamStep(learningRate: 1e-3)
        }
        XCTAssertEqual(restored.flatParameters, net.flatParameters, "the next step is bit-identical")
    }
}
