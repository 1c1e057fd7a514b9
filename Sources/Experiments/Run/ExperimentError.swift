/// Errors from running experiments (not from configuration, see `ConfigError`).
public enum ExperimentError: Error, Equatable, CustomStringConvertible {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The run directory exists and neither `--resume` nor a fresh name was asked for.
    case runDirectoryExists(path: String)
    /// A configured feature that this build does not provide.
    case unavailable(key: String, value: String, reason: String)
    /// The environment or model failed during the run.
    case failed(String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .runDirectoryExists(path):
            return "run directory \(path) already exists; pass --resume to continue it, or choose another --out"
        case let .unavailable(key, value, reason): return "\(key): '\(value)' is not available: \(reason)"
        case let .failed(message): return message
        }
    }
}
