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
