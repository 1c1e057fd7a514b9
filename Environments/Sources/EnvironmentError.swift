/// Errors from environments, wrappers, the registry and the external bridge.
/// Each message names what was wrong and what was expected; none is a trap.
public enum EnvironmentError: Error, Equatable, CustomStringConvertible {
    /// The action is not in the action space (wrong kind, length or bounds).
    case actionOutOfSpace(environment: String, action: String, space: String)
    /// `step` was called before `reset`, or after `terminated`/`truncated` without a reset.
    case needsReset(environment: String)
    /// A snapshot of another environment type was given to `restore`.
    case invalidSnapshot(environment: String, expected: String, got: String)
    /// The environment cannot copy its state.
    case snapshotUnsupported(environment: String)
    /// No environment is registered under `id`; `suggestions` are the closest ids.
    case unknownID(id: String, suggestions: [String])
    /// A setting that the environment does not have; `valid` lists those it has.
    case unknownSetting(id: String, key: String, valid: [String])
    /// A setting with a value of the wrong type or out of range.
    case invalidSetting(id: String, key: String, expected: String, got: String)
    /// An external environment process failed (crash, hang, malformed or wrong-shaped reply).
    case external(command: String, message: String, detail: String)
    /// Any other invalid input, described.
    case invalid(String)

    public var description: String {
        switch self {
        case let .actionOutOfSpace(env, action, space):
            return "\(env): action \(action) is outside the action space \(space)"
        case let .needsReset(env):
            return "\(env): step() called before reset() or after the episode ended; call reset() first"
        case let .invalidSnapshot(env, expected, got):
            return "\(env): restore() expected a snapshot of \(expected), got \(got)"
        case let .snapshotUnsupported(env):
            return "\(env): this environment does not support snapshot/restore"
        case let .unknownID(id, suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?"
            return "unknown environment id '\(id)'\(hint) (see `mbrl env list`)"
        case let .unknownSetting(id, key, valid):
            return "\(id): unknown setting '\(key)'; valid settings: \(valid.isEmpty ? "(none)" : valid.joined(separator: ", "))"
        case let .invalidSetting(id, key, expected, got):
            return "\(id): setting '\(key)' expected \(expected), got \(got)"
        case let .external(command, message, detail):
            return "external environment `\(command)`: \(message): \(detail)"
        case let .invalid(message):
            return message
        }
    }
}
