/// Extra information returned by `reset` and `step` (Gymnasium's `info` dict).
public typealias Info = [String: InfoValue]

/// A value in an `Info` dictionary.
public enum InfoValue: Hashable, Sendable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case vector([Float])

    public var description: String {
        switch self {
        case .bool(let v): return String(v)
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return v
        case .vector(let v): return String(describing: v)
        }
    }
}
