import TensorCore
import SeededRandom

/// A neural-network component that owns parameters.
///
/// Contract: `namedParameters()` lists every trainable ``Parameter`` exactly
/// once, in a fixed order, with PyTorch-style dotted names (`"weight"`,
/// `"layers.0.bias"`); a container composes its children's lists under their
/// attribute names (see ``prefixed(_:_:)``). Names match the PyTorch module a
/// layer mirrors where there is one, so checkpoints can be exchanged.
/// Nothing is discovered by reflection.
public protocol Module: AnyObject {
    /// Every trainable parameter with its dotted name.
    func namedParameters() -> [(String, Parameter)]
}

extension Module {
    /// The parameters in `namedParameters()` order.
    public var parameters: [Parameter] { namedParameters().map(\.1) }

    /// Total number of scalars over all parameters (a free test oracle, as Lux's `parameterlength`).
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.count } }
}

/// A child's parameters under `prefix.` (the composition rule for `namedParameters()`).
public func prefixed(_ prefix: String, _ module: Module) -> [(String, Parameter)] {
    module.namedParameters().map { ("\(prefix).\($0.0)", $0.1) }
}

/// Samples U(−bound, bound) for PyTorch-style initialisation.
func uniformInit(_ shape: [Int], bound: Float, _ generator: inout SeededGenerator) -> Tensor {
    Tensor(shape: shape, uniformLow: -bound, high: bound, generator: &generator)
}
