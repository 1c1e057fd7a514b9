import CBLAS
import CKernels
import SeededRandom

/// A fully connected ReLU network, `Linear → ReLU → … → Linear` (PyTorch
/// `nn.Sequential` of `nn.Linear` and `nn.ReLU`, no output activation), with
/// flat parameters and a hand-written, phased backward pass: the building block
/// of the model-free learners (SAC's actor and critics, DQN's Q-network).
///
/// **Shapes.** `layerSizes = [inputSize] + hiddenSizes + [outputSize]`; layer l
/// maps `[rows, layerSizes[l]]` to `[rows, layerSizes[l + 1]]` as
/// `Z = X Wᵀ + b` with `W` `[out, in]` (PyTorch layout). Inputs and outputs
/// are row-major.
///
/// **Parameters** live in one flat buffer in PyTorch's `named_parameters()`
/// order and naming — `layers.0.weight`, `layers.0.bias`, `layers.1.weight`, …
/// (linear layers numbered 0, 1, …, as ``MLP``) — which is also the order of
/// ``gradients`` and of the Adam moments. The weights of output units
/// `o0..<o1` of a layer are one contiguous slice, so gradient work can be split
/// by output blocks (``GradientBlock``) and each slice updated while in cache.
///
/// **Initialisation** (PyTorch default, as ``Linear``): layer by layer, the
/// weight row-major then the bias, each U(−1/√in, 1/√in) drawn from the
/// generator — the same draws as `MLP(inputSize:hiddenSizes:outputSize:)` from
/// the same generator state.
///
/// **Passes.** Activations live in a ``Workspace`` (per layer the ReLU output,
/// or the raw output for the last layer, and dL/dZ), allocated once for a row
/// capacity; nothing is allocated per call and there is no tape.
/// - ``forward(_:rows:workspace:)``: `2·rows·Σ in·out` flops.
/// - ``backpropagate(rows:workspace:inputGradient:)``: from dL/dY written into
///   ``Workspace/outputGradient``, dL/dZ of every layer (the ReLU derivative is
///   read off the stored activation) and optionally dL/dX — row-parallel, no
///   reduction over rows; `2·rows·Σ_{l≥1} in·out` flops (+ the first layer's
///   with dL/dX). A layer with at most 8 outputs (a critic's Q, a policy head)
///   back-propagates through one fused C loop with the ReLU mask.
/// - ``computeGradients(_:input:rows:workspace:)``: the weight and bias
///   gradients of one block, `dW = dZᵀ X`, `db = Σ_rows dZ`, overwriting its
///   slice of ``gradients``; `2·rows·in·units` flops. Skip it when only dL/dX
///   is wanted (SAC's actor loss through a critic).
///
/// Rows in disjoint ranges of one workspace may run on different threads; GEMMs
/// go through `cblas_sgemm` with OpenBLAS at one thread (this initialiser calls
/// `openblas_set_num_threads(1)`, a process-wide setting), the caller
/// parallelising over rows or blocks (e.g. with ``EnsembleWorkQueue``).
/// Not thread-safe otherwise: one writer of the parameters at a time.
public final class DenseNetwork {
    /// `[inputSize, hidden…, outputSize]`.
    public let layerSizes: [Int]
    /// Number of scalar parameters.
    public let parameterCount: Int
    /// The parameters, flat, in ``parameterNames`` order.
    public let parameters: UnsafeMutableBufferPointer<Float>
    /// Gradients, same layout; written by ``computeGradients(_:input:rows:workspace:)``.
    public let gradients: UnsafeMutableBufferPointer<Float>

    /// Linear layers: weight `[out, in]` and bias `[out]` offsets in the flat buffers.
    let layers: [EnsembleLayerLayout]
    /// Layers this narrow (outputs) back-propagate through a fused C loop instead of a GEMM.
    static let narrowWidth = 8
    /// One gradient block per layer (``backward(input:rows:workspace:inputGradient:parameterGradients:)``).
    private(set) lazy var wholeLayers: [GradientBlock] = gradientBlocks()
    var firstMoment: UnsafeMutablePointer<Float>?
    var secondMoment: UnsafeMutablePointer<Float>?
    /// Adam steps taken so far (t in the bias corrections).
    public internal(set) var optimizerStep = 0

    /// A network with seeded PyTorch-default weights (see the type's doc).
    public init(inputSize: Int, hiddenSizes: [Int], outputSize: Int, generator: inout SeededGenerator) {
        let sizes = [inputSize] + hiddenSizes + [outputSize]
        precondition(sizes.allSatisfy { $0 > 0 }, "DenseNetwork: sizes must be positive, got \(sizes)")
        layerSizes = sizes
        var layers: [EnsembleLayerLayout] = []
        var offset = 0
        for l in 0..<(sizes.count - 1) {
            let fanIn = sizes[l], fanOut = sizes[l + 1]
            layers.append(EnsembleLayerLayout(inputSize: fanIn, outputSize: fanOut, weightOffset: offset,
                                              biasOffset: offset + fanIn * fanOut))
            offset += fanIn * fanOut + fanOut
        }
        self.layers = layers
        parameterCount = offset
        parameters = .allocate(capacity: offset)
        parameters.initialize(repeating: 0)
        gradients = .allocate(capacity: offset)
        gradients.initialize(repeating: 0)
        openblas_set_num_threads(1)
        for layer in layers {
            let bound = 1 / Float(layer.inputSize).squareRoot()
            for i in 0..<(layer.inputSize * layer.outputSize + layer.outputSize) {
                parameters[layer.weightOffset + i] = generator.uniform(-bound, bound)
            }
        }
    }

    /// A network of the same shape holding a copy of `other`'s parameters (a
    /// target network); gradients zero, no optimizer state.
    public init(copying other: DenseNetwork) {
        layerSizes = other.layerSizes
        layers = other.layers
        parameterCount = other.parameterCount
        parameters = .allocate(capacity: parameterCount)
        _ = parameters.initialize(from: other.parameters)
        gradients = .allocate(capacity: parameterCount)
        gradients.initialize(repeating: 0)
    }

    deinit {
        parameters.deallocate()
        gradients.deallocate()
        firstMoment?.deallocate()
        secondMoment?.deallocate()
    }

    public var inputSize: Int { layerSizes[0] }
    public var outputSize: Int { layerSizes[layerSizes.count - 1] }
    /// Number of linear layers.
    public var layerCount: Int { layers.count }

    // MARK: - Named parameters

    /// PyTorch names in flat order: `layers.<l>.weight`, `layers.<l>.bias`, ….
    public var parameterNames: [String] { namedSlices.map(\.name) }

    /// Name, shape and flat range of every parameter tensor, in flat order.
    public var namedSlices: [(name: String, shape: [Int], range: Range<Int>)] {
        layers.enumerated().flatMap { l, layer in
            [("layers.\(l).weight", [layer.outputSize, layer.inputSize], layer.weightOffset ..< layer.biasOffset),
             ("layers.\(l).bias", [layer.outputSize], layer.biasOffset ..< layer.biasOffset + layer.outputSize)]
        }
    }

    /// All parameters as one array in flat order (get / set).
    public var flatParameters: [Float] {
        get { Array(parameters) }
        set {
            precondition(newValue.count == parameterCount, "DenseNetwork.flatParameters: expected \(parameterCount) values, got \(newValue.count)")
            _ = parameters.update(fromContentsOf: newValue)
        }
    }

    /// The gradients as one array in flat order.
    public var flatGradients: [Float] { Array(gradients) }

    // MARK: - Forward

    /// Forward of rows `rows` of `input` (`[*, inputSize]`, row r at `input + r·inputSize`)
    /// into the same rows of `workspace`; the result is ``Workspace/output``.
    public func forward(_ input: UnsafePointer<Float>, rows: Range<Int>, workspace: Workspace) {
        checkWorkspace(workspace, rows)
        let n = rows.count
        guard n > 0 else { return }
        var x = input + rows.lowerBound * inputSize
        for (l, layer) in layers.enumerated() {
            let z = workspace.activations[l] + rows.lowerBound * layer.outputSize
            ensembleGEMM(transposeA: false, transposeB: true, m: n, n: layer.outputSize, k: layer.inputSize,
                         x, layer.inputSize, parameters.baseAddress! + layer.weightOffset, layer.inputSize,
                         z, layer.outputSize)
            mbrl_ens_bias_activation(z, parameters.baseAddress! + layer.biasOffset, nil, n, layer.outputSize,
                                     l < layers.count - 1 ? MBRL_ACT_RELU : MBRL_ACT_IDENTITY)
            x = UnsafePointer(z)
        }
    }

    /// ``forward(_:rows:workspace:)`` of rows `0..<rows`.
    public func forward(_ input: UnsafePointer<Float>, rows: Int, workspace: Workspace) {
        forward(input, rows: 0..<rows, workspace: workspace)
    }

    /// Outputs `[rows, outputSize]` for inputs `[rows, inputSize]` (allocates a workspace; for tests and tools).
    public func callAsFunction(_ input: [Float], rows: Int) -> [Float] {
        precondition(input.count == rows * inputSize, "DenseNetwork: \(input.count) inputs for \(rows) rows of \(inputSize)")
        let workspace = makeWorkspace(rows: rows)
        input.withUnsafeBufferPointer { forward($0.baseAddress!, rows: rows, workspace: workspace) }
        return Array(UnsafeBufferPointer(start: workspace.output, count: rows * outputSize))
    }

    // MARK: - Backward

    /// The row-parallel part of the backward pass for rows `rows`: reads dL/dY from
    /// ``Workspace/outputGradient``, writes dL/dZ of every layer into the
    /// workspace (`dZ_{l-1} = dZ_l W_l ⊙ [A_{l-1} > 0]`) and, when `inputGradient`
    /// is given, dL/dX = dZ_0 W_0 into its rows (`[*, inputSize]`, overwritten).
    /// Needs the forward of the same rows in `workspace`.
    public func backpropagate(rows: Range<Int>, workspace: Workspace, inputGradient: UnsafeMutablePointer<Float>?) {
        checkWorkspace(workspace, rows)
        let n = rows.count
        guard n > 0 else { return }
        let r0 = rows.lowerBound
        for l in stride(from: layers.count - 1, to: 0, by: -1) {
            let layer = layers[l]
            let dz = workspace.deltas[l] + r0 * layer.outputSize
            let below = workspace.deltas[l - 1] + r0 * layer.inputSize
            let w = parameters.baseAddress! + layer.weightOffset
            let a = workspace.activations[l - 1] + r0 * layer.inputSize
            if layer.outputSize <= Self.narrowWidth {
                mbrl_dense_backprop_narrow(dz, n, layer.outputSize, w, layer.inputSize, a, below)
            } else {
                ensembleGEMM(transposeA: false, transposeB: false, m: n, n: layer.inputSize, k: layer.outputSize,
                             dz, layer.outputSize, w, layer.inputSize, below, layer.inputSize)
                mbrl_dense_relu_backward(below, a, n * layer.inputSize)
            }
        }
        if let dx = inputGradient {
            let first = layers[0]
            ensembleGEMM(transposeA: false, transposeB: false, m: n, n: first.inputSize, k: first.outputSize,
                         workspace.deltas[0] + r0 * first.outputSize, first.outputSize,
                         parameters.baseAddress! + first.weightOffset, first.inputSize,
                         dx + r0 * first.inputSize, first.inputSize)
        }
    }

    /// One unit of parameter-gradient work: output units `units` of linear layer `layer`.
    public struct GradientBlock: Equatable, Sendable {
        public let layer: Int
        public let units: Range<Int>
        /// The block's weight slice in the flat buffers.
        public let weights: Range<Int>
        /// The block's bias slice in the flat buffers.
        public let biases: Range<Int>
        /// Multiply-adds per row (`units · in`).
        public let cost: Int
    }

    /// Every layer as gradient blocks, largest first; layers with at least
    /// `splitThreshold` weights are cut into `blocks` output-unit blocks (so a
    /// largest-first queue balances the cores).
    public func gradientBlocks(blocks: Int = 1, splitThreshold: Int = 16_384) -> [GradientBlock] {
        var result: [GradientBlock] = []
        for (l, layer) in layers.enumerated() {
            let parts = layer.inputSize * layer.outputSize >= splitThreshold ? max(1, min(blocks, layer.outputSize)) : 1
            for k in 0..<parts {
                let u0 = k * layer.outputSize / parts, u1 = (k + 1) * layer.outputSize / parts
                result.append(GradientBlock(
                    layer: l, units: u0..<u1,
                    weights: layer.weightOffset + u0 * layer.inputSize ..< layer.weightOffset + u1 * layer.inputSize,
                    biases: layer.biasOffset + u0 ..< layer.biasOffset + u1, cost: (u1 - u0) * layer.inputSize))
            }
        }
        return result.sorted { $0.cost > $1.cost }
    }

    /// Weight and bias gradients of `block` over rows `0..<rows` (the forward input
    /// `input` and the dL/dZ of ``backpropagate(rows:workspace:inputGradient:)``),
    /// overwriting the block's slice of ``gradients``.
    public func computeGradients(_ block: GradientBlock, input: UnsafePointer<Float>, rows: Int, workspace: Workspace) {
        checkWorkspace(workspace, 0..<rows)
        let layer = layers[block.layer]
        let x = block.layer == 0 ? input : UnsafePointer(workspace.activations[block.layer - 1])
        let dz = workspace.deltas[block.layer] + block.units.lowerBound
        let g = gradients.baseAddress!
        ensembleGEMM(transposeA: true, transposeB: false, m: block.units.count, n: layer.inputSize, k: rows,
                     dz, layer.outputSize, x, layer.inputSize, g + block.weights.lowerBound, layer.inputSize)
        mbrl_dense_column_sum(dz, rows, block.units.count, layer.outputSize, g + block.biases.lowerBound)
    }

    /// The whole backward pass on one thread: ``backpropagate(rows:workspace:inputGradient:)``
    /// over rows `0..<rows`, then, with `parameterGradients`, every layer's gradients.
    public func backward(input: UnsafePointer<Float>, rows: Int, workspace: Workspace,
                         inputGradient: UnsafeMutablePointer<Float>? = nil, parameterGradients: Bool = true) {
        backpropagate(rows: 0..<rows, workspace: workspace, inputGradient: inputGradient)
        if parameterGradients {
            for block in wholeLayers { computeGradients(block, input: input, rows: rows, workspace: workspace) }
        }
    }

    /// The vector–Jacobian product of the outputs with `outputGradient` (`[rows, outputSize]`):
    /// parameter gradients (flat order, also left in ``gradients``) and input gradients
    /// `[rows, inputSize]`. Allocates; for tests and tools.
    public func gradients(input: [Float], rows: Int, outputGradient: [Float]) -> (parameters: [Float], input: [Float]) {
        precondition(input.count == rows * inputSize && outputGradient.count == rows * outputSize,
                     "DenseNetwork.gradients: \(input.count) inputs and \(outputGradient.count) output gradients for \(rows) rows")
        let workspace = makeWorkspace(rows: rows)
        var inputGradient = [Float](repeating: 0, count: rows * inputSize)
        input.withUnsafeBufferPointer { x in
            forward(x.baseAddress!, rows: rows, workspace: workspace)
            outputGradient.withUnsafeBufferPointer { workspace.outputGradient.update(from: $0.baseAddress!, count: $0.count) }
            inputGradient.withUnsafeMutableBufferPointer {
                backward(input: x.baseAddress!, rows: rows, workspace: workspace, inputGradient: $0.baseAddress!)
            }
        }
        return (flatGradients, inputGradient)
    }

    private func checkWorkspace(_ workspace: Workspace, _ rows: Range<Int>) {
        precondition(workspace.layerSizes == layerSizes,
                     "DenseNetwork: workspace for layers \(workspace.layerSizes), network has \(layerSizes)")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= workspace.capacity,
                     "DenseNetwork: rows \(rows) outside the workspace's capacity \(workspace.capacity)")
    }
}
