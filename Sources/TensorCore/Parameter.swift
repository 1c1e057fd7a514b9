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
