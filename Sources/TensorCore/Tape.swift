/// A reverse-mode automatic-differentiation tape (Wengert list), in the spirit
/// of micrograd: every operation on ``Variable``s appends a node holding the
/// indices of its inputs and a closure that maps the gradient of its output to
/// the gradients of its inputs. Nodes are appended in evaluation order, which
/// is already a topological order, so the backward pass is one reverse sweep.
///
/// A tape is created per gradient evaluation and passed explicitly; there is
/// no global state and no `.grad` field to zero. Gradients are returned as
/// values (``gradients(of:withRespectTo:)``, ``valueWithGradient(of:_:)``).
/// Inputs that do not require a gradient (constants, parameters outside the
/// differentiated set) are recorded without backward work: an op whose inputs
/// all are constant records no closure at all.
///
/// Cost: one node per op (an array append and a closure capturing the forward
/// values the backward rule needs); the backward pass allocates one gradient
/// tensor per node reached. Use `Tensor` operations directly (no tape) for
/// inference.
public final class Tape {
    /// Backward rule: gradient of the node's output and which inputs need a
    /// gradient → one gradient per input (nil where not needed).
    public typealias Backward = (_ gradient: Tensor, _ needed: [Bool]) -> [Tensor?]

    struct Node {
        let inputs: [Int]
        let backward: Backward?
        let shape: [Int]
    }

    private(set) var nodes: [Node] = []
    private(set) var requiresGradient: [Bool] = []
    private var parameterNodes: [ObjectIdentifier: Int] = [:]
    private let differentiated: Set<ObjectIdentifier>?

    /// A tape on which every ``Parameter`` met through ``variable(_:)-(Parameter)`` is differentiable.
    public init() { differentiated = nil }

    /// A tape on which only `parameters` are differentiable; other parameters act as constants.
    public init(differentiating parameters: [Parameter]) {
        differentiated = Set(parameters.map(ObjectIdentifier.init))
    }

    /// Number of recorded nodes (leaves included).
    public var nodeCount: Int { nodes.count }

    /// A leaf holding `value`; it receives a gradient if `requiresGradient`.
    public func variable(_ value: Tensor, requiresGradient: Bool = true) -> Variable {
        nodes.append(Node(inputs: [], backward: nil, shape: value.shape))
        self.requiresGradient.append(requiresGradient)
        return Variable(tape: self, index: nodes.count - 1, value: value)
    }

    /// A leaf that never receives a gradient.
    public func constant(_ value: Tensor) -> Variable { variable(value, requiresGradient: false) }

    /// The leaf for `parameter` (one per parameter per tape, so uses accumulate).
    public func variable(_ parameter: Parameter) -> Variable {
        let id = ObjectIdentifier(parameter)
        if let index = parameterNodes[id] {
            return Variable(tape: self, index: index, value: parameter.value)
        }
        let v = variable(parameter.value, requiresGradient: differentiated?.contains(id) ?? true)
        parameterNodes[id] = v.index
        return v
    }

    /// Records the result of an op over `inputs`. `backward` is kept only when
    /// some input requires a gradient.
    public func record(_ value: Tensor, inputs: [Variable], backward: @escaping Backward) -> Variable {
        var needs = false
        for v in inputs {
            precondition(v.tape === self, "Tape: a Variable from another tape was used as an input")
            if requiresGradient[v.index] { needs = true }
        }
        nodes.append(Node(inputs: inputs.map(\.index), backward: needs ? backward : nil, shape: value.shape))
        requiresGradient.append(needs)
        return Variable(tape: self, index: nodes.count - 1, value: value)
    }

    /// Gradients of `output` (seeded with `seed`, default ones, i.e. the
    /// gradient of `sum(output)`) with respect to each of `inputs`, in order.
    /// Inputs that `output` does not depend on get zeros.
    public func gradients(of output: Variable, withRespectTo inputs: [Variable], seed: Tensor? = nil) -> [Tensor] {
        precondition(output.tape === self, "Tape.gradients: output belongs to another tape")
        let all = backpropagate(from: output, seed: seed, keep: Set(inputs.map(\.index)))
        return inputs.map { v in all[v.index] ?? Tensor(zeros: v.shape) }
    }

    /// One reverse sweep from `output`; returns the gradient of every leaf reached and of the nodes in `keep`.
    func backpropagate(from output: Variable, seed: Tensor?, keep: Set<Int>) -> [Tensor?] {
        var grads = [Tensor?](repeating: nil, count: output.index + 1)
        let seedTensor = seed ?? Tensor(shape: output.shape, repeating: 1)
        precondition(seedTensor.shape == output.shape, "Tape: seed shape \(seedTensor.shape) != output shape \(output.shape)")
        grads[output.index] = seedTensor
        for i in stride(from: output.index, through: 0, by: -1) {
            let node = nodes[i]
            guard let backward = node.backward, let g = grads[i] else { continue }
            let needed = node.inputs.map { requiresGradient[$0] }
            let inputGrads = backward(g, needed)
            precondition(inputGrads.count == node.inputs.count, "Tape: backward rule returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
            for (k, input) in node.inputs.enumerated() where needed[k] {
                guard let gk = inputGrads[k] else { continue }
                precondition(gk.shape == nodes[input].shape, "Tape: gradient shape \(gk.shape) != input shape \(nodes[input].shape)")
                if grads[input] == nil {
                    grads[input] = gk
                } else {
                    grads[input]!.add(gk)
                }
            }
            if i != output.index && !keep.contains(i) { grads[i] = nil }  // free intermediate gradients early
        }
        return grads
    }

    func parameterNode(_ parameter: Parameter) -> Int? { parameterNodes[ObjectIdentifier(parameter)] }
}

/// A tensor recorded on a ``Tape``: the handle through which operations are
/// differentiated. Holds the forward value (a cheap copy-on-write reference)
/// and its node index.
public struct Variable {
    /// The tape this variable lives on.
    public let tape: Tape
    /// Node index on the tape.
    public let index: Int
    /// The forward value.
    public let value: Tensor

    /// Shape of the forward value.
    public var shape: [Int] { value.shape }
    /// Rank of the forward value.
    public var rank: Int { value.rank }
}

/// A trainable tensor with identity: layers own `Parameter`s, optimizers
/// update their `value` in place, tapes map them to leaves. A class because
/// identity is the point (the same parameter seen twice is one leaf).
public final class Parameter {
    /// Current value.
    public var value: Tensor
    /// Wraps an initial value.
    public init(_ value: Tensor) { self.value = value }
    /// Shape of the value.
    public var shape: [Int] { value.shape }
    /// Number of scalars.
    public var count: Int { value.count }
}

/// Gradients keyed by parameter identity, as returned by ``valueWithGradient(of:_:)``.
/// Every differentiated parameter has an entry (zeros if the loss does not depend on it).
public struct Gradients {
    private var storage: [ObjectIdentifier: Tensor]
    /// Parameters in the order they were requested.
    public let parameters: [Parameter]

    init(parameters: [Parameter], storage: [ObjectIdentifier: Tensor]) {
        self.parameters = parameters
        self.storage = storage
    }

    /// Gradient for `parameter` (zeros of its shape if it was not differentiated).
    public subscript(parameter: Parameter) -> Tensor {
        get { storage[ObjectIdentifier(parameter)] ?? Tensor(zeros: parameter.shape) }
        set {
            precondition(newValue.shape == parameter.shape, "Gradients: shape \(newValue.shape) for a parameter of shape \(parameter.shape)")
            storage[ObjectIdentifier(parameter)] = newValue
        }
    }

    /// The global L2 norm sqrt(Σ g²) over all gradients (accumulated in Double).
    public var globalNorm: Float {
        var s = 0.0
        for p in parameters { for g in self[p].scalars { s += Double(g) * Double(g) } }
        return Float(s.squareRoot())
    }

    /// Multiplies every gradient by `factor`.
    public mutating func scale(by factor: Float) {
        for p in parameters { self[p] = self[p] * factor }
    }
}

/// Evaluates the scalar `body` on a fresh tape and returns its value with the
/// gradients of every parameter in `parameters`:
///
///     let (loss, grads) = valueWithGradient(of: model.parameters) { tape in
///         mseLoss(model(tape.constant(x)), tape.constant(y))
///     }
///
/// Parameters reached inside `body` but not listed are constants.
/// - Precondition: `body` returns a one-element variable.
public func valueWithGradient(of parameters: [Parameter], _ body: (Tape) throws -> Variable) rethrows -> (value: Float, gradients: Gradients) {
    let tape = Tape(differentiating: parameters)
    let loss = try body(tape)
    precondition(loss.value.count == 1, "valueWithGradient: the function returned shape \(loss.shape), expected a scalar")
    let all = tape.backpropagate(from: loss, seed: Tensor(shape: loss.shape, repeating: 1), keep: [])
    var storage: [ObjectIdentifier: Tensor] = [:]
    for p in parameters {
        if let node = tape.parameterNode(p), node < all.count, let g = all[node] {
            storage[ObjectIdentifier(p)] = g
        }
    }
    return (loss.value.scalar, Gradients(parameters: parameters, storage: storage))
}
