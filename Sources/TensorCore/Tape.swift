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
