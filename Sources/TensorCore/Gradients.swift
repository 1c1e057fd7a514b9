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
