/// An action given to `Environment.step`: an index for a `Discrete` action
/// space, or a vector for a `Box` action space.
public enum Action: Hashable, Sendable, CustomStringConvertible {
    case discrete(Int)
    case continuous([Float])

    /// The action as a flat float vector, as stored in replay buffers and fed to
    /// models (a discrete action is one float holding its index).
    public var vector: [Float] {
        switch self {
        case .discrete(let i): return [Float(i)]
        case .continuous(let v): return v
        }
    }

    public var description: String {
        switch self {
        case .discrete(let i): return "discrete(\(i))"
        case .continuous(let v): return "continuous(\(v))"
        }
    }
}
