/// A trainable tensor with identity: layers own `Parameter`s, optimizers
/// update their `value` in place, tapes map them to leaves. A class because
/// identity is the point (the same parameter seen twice is one leaf).
public final class Parameter {
    /// Current value.
    public var value: Tensor
    /// true: optimizers apply no weight decay to it (PyTorch's `_no_weight_decay`
    /// idiom), for parameters whose zero is not "off" but a particular scale,
    /// e.g. a log-rate: decay would pull it towards that scale.
    public var exemptFromWeightDecay: Bool
    /// Wraps an initial value.
    public init(_ value: Tensor, exemptFromWeightDecay: Bool = false) {
        self.value = value
        self.exemptFromWeightDecay = exemptFromWeightDecay
    }
    /// Shape of the value.
    public var shape: [Int] { value.shape }
    /// Number of scalars.
    public var count: Int { value.count }
}
