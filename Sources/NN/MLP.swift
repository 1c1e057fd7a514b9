import SeededRandom
import TensorCore

/// A multilayer perceptron: `Linear → activation` for each hidden size, then
/// a final `Linear` followed by `outputActivation` (identity by default).
///
/// Parameter names: `layers.<i>.weight`, `layers.<i>.bias` for i = 0…hidden count
/// (PyTorch's `nn.Sequential` would number activations too; these count Linear layers only).
/// Shapes: `[..., inputSize]` → `[..., outputSize]`. Initialisation as ``Linear``.
///
/// The inference path `forward(_:workspace:into:)` ping-pongs through
/// buffers kept in an ``MLP/Workspace`` and applies activations in place, so
/// repeated calls with the same batch size allocate nothing (planners calling
/// it for tens of thousands of rows per step).
public final class MLP: Module {
    public let layers: [Linear]
    public let activation: Activation
    public let outputActivation: Activation

    public init(inputSize: Int, hiddenSizes: [Int], outputSize: Int, activation: Activation = .relu,
                outputActivation: Activation = .identity, generator: inout SeededGenerator) {
        let sizes = [inputSize] + hiddenSizes + [outputSize]
        var layers: [Linear] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear(inputSize: sizes[i], outputSize: sizes[i + 1], generator: &generator))
        }
        self.layers = layers
        self.activation = activation
        self.outputActivation = outputActivation
    }

    public var inputSize: Int { layers[0].inputSize }
    public var outputSize: Int { layers[layers.count - 1].outputSize }

    public func namedParameters() -> [(String, Parameter)] {
        layers.enumerated().flatMap { prefixed("layers.\($0.offset)", $0.element) }
    }

    /// Differentiable forward.
    public func callAsFunction(_ x: Variable) -> Variable {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            h = i < layers.count - 1 ? activation(h) : outputActivation(h)
        }
        return h
    }

    /// Inference forward (allocates; see `forward(_:workspace:into:)` for the reusing form).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var ws = Workspace()
        var out = Tensor(zeros: [0])
        forward(x, workspace: &ws, into: &out)
        return out
    }

    /// Reusable hidden-activation buffers for the inference path (two, used alternately).
    public struct Workspace {
        /// First hidden buffer.
        public internal(set) var ping = Tensor(zeros: [0])
        /// Second hidden buffer.
        public internal(set) var pong = Tensor(zeros: [0])
        public init() {}
    }

    /// Inference forward into `out`, reusing `workspace` (no allocation once the buffers have the batch's size).
    public func forward(_ x: Tensor, workspace: inout Workspace, into out: inout Tensor) {
        if layers.count == 1 {
            layers[0].forward(x, into: &out)
            outputActivation.apply(inPlace: &out)
            return
        }
        layers[0].forward(x, into: &workspace.ping)
        activation.apply(inPlace: &workspace.ping)
        for i in 1..<(layers.count - 1) {
            layers[i].forward(workspace.ping, into: &workspace.pong)
            activation.apply(inPlace: &workspace.pong)
            swap(&workspace.ping, &workspace.pong)
        }
        layers[layers.count - 1].forward(workspace.ping, into: &out)
        outputActivation.apply(inPlace: &out)
    }
}
