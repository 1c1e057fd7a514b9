/// An error in an experiment configuration: a file that cannot be read or
/// parsed, an unknown key, a value of the wrong type or out of range, or a bad
/// command-line override.
///
/// Every error says *where* (file and `line:column` from the YAML node's mark
/// when the value came from a file, or the override text when it came from the
/// command line), *which key* (a dotted path such as `planner.population`), and
/// *what was expected and what was found*. `description` renders it in the
/// compiler style the CLI prints:
///
/// ```
/// Configs/pets-cartpole.yaml:14:15: planner.population: expected an integer of at least 1, found 0
/// Configs/pets-cartpole.yaml:14:3: planner.populaton: unknown key 'populaton'; did you mean 'population'? (valid keys: ...)
/// override 'model.hiden_size=3': model.hiden_size: unknown key 'hiden_size'; did you mean 'hidden_size'? (...)
/// Configs/compare.yaml:9:25: variant 'gru': model.gru.hiden_size: unknown key 'hiden_size'; did you mean 'hidden_size'? (...)
/// ```
///
/// An error met while resolving one variant of an `ExperimentSweep` names the
/// variant (`variant`).
///
/// Decoding code (config sections' `init(from:)` and `validate()`) throws it
/// with only `keyPath` and `kind` filled in; `ConfigLoader` adds the file, the
/// mark and the override that produced the value.
public struct ConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The config file does not exist.
        case fileNotFound
        /// The file exists but could not be read or is not UTF-8.
        case unreadable(reason: String)
        /// The text is not valid YAML (the mark is where the parser stopped).
        case invalidYAML(problem: String)
        /// The document is valid YAML but not a mapping at the top level.
        case notAMapping(found: String)
        /// A key the schema does not have; `suggestion` is the closest valid key.
        case unknownKey(suggestion: String?, valid: [String])
        /// A required key is missing.
        case missingKey
        /// A value of the wrong type.
        case typeMismatch(expected: String, found: String)
        /// A value of the right type outside its valid range.
        case outOfRange(expected: String, found: String)
        /// A string that is not one of an enum's choices.
        case invalidChoice(found: String, valid: [String])
        /// A key that does not apply to the chosen variant.
        case inapplicable(reason: String)
        /// A command-line override that is not `key.path=value`.
        case malformedOverride(reason: String)
        /// A value the component it configures rejected (an unknown environment
        /// id, a setting the environment does not have, a command that fails to start).
        case rejected(reason: String)
    }

    /// The file the value came from (nil for values built in code).
    public var file: String?
    /// The key path, outermost first (`["planner", "population"]`); empty for whole-file errors.
    public var keyPath: [String]
    /// 1-based line of the offending node (its key for unknown keys), when known.
    public var line: Int?
    /// 1-based column (in Unicode scalars) of the offending node, when known.
    public var column: Int?
    /// The command-line override (`key=value`) that produced the value, if any.
    public var override: String?
    /// The sweep variant being resolved when the error occurred (`variants:` of an `ExperimentSweep`), if any.
    public var variant: String?
    /// What went wrong.
    public var kind: Kind

    public init(_ kind: Kind, keyPath: [String] = [], file: String? = nil,
                line: Int? = nil, column: Int? = nil, override: String? = nil, variant: String? = nil) {
        self.kind = kind
        self.variant = variant
        self.keyPath = keyPath
        self.file = file
        self.line = line
        self.column = column
        self.override = override
    }

    /// `planner.population` (or `<root>` for the document itself).
    public var dottedKeyPath: String { keyPath.isEmpty ? "<root>" : keyPath.joined(separator: ".") }

    /// Where the value came from: `file:line:column`, `file`, or `override 'k=v'`.
    public var location: String {
        if let override { return "override '\(override)'" }
        var text = file ?? "<config>"
        if let line { text += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        return text
    }

    public var message: String {
        let leaf = keyPath.last ?? ""
        switch kind {
        case .fileNotFound:
            return "config file not found (expected a YAML file at this path)"
        case .unreadable(let reason):
            return "cannot read config file: \(reason)"
        case .invalidYAML(let problem):
            return "invalid YAML: \(problem)"
        case .notAMapping(let found):
            return "expected a mapping of keys to values at the top level, found \(found)"
        case .unknownKey(let suggestion, let valid):
            var text = "unknown key '\(leaf)'"
            if let suggestion { text += "; did you mean '\(suggestion)'?" }
            if !valid.isEmpty { text += " (valid keys: \(valid.joined(separator: ", ")))" }
            return text
        case .missingKey:
            return "missing required key '\(leaf)'"
        case .typeMismatch(let expected, let found), .outOfRange(let expected, let found):
            return "expected \(expected), found \(found)"
        case .invalidChoice(let found, let valid):
            return "expected one of \(valid.joined(separator: ", ")), found \(found)"
        case .inapplicable(let reason), .rejected(let reason):
            return reason
        case .malformedOverride(let reason):
            return "malformed override: \(reason) (expected key.path=value, e.g. planner.population=100)"
        }
    }

    public var description: String {
        let origin = location + (variant.map { ": variant '\($0)'" } ?? "")
        switch kind {
        case .fileNotFound, .unreadable, .invalidYAML, .notAMapping, .malformedOverride:
            return "\(origin): \(message)"
        default:
            return "\(origin): \(dottedKeyPath): \(message)"
        }
    }

    /// The same error with `prefix` prepended to its key path (used when a
    /// section's `validate()` is called from its parent).
    public func prefixed(_ prefix: String) -> ConfigError {
        var copy = self
        copy.keyPath.insert(prefix, at: 0)
        return copy
    }
}

/// Runs `body` (a nested section's `validate()`), prefixing any `ConfigError`'s key path with `key`.
func validating(_ key: String, _ body: () throws -> Void) throws {
    do { try body() } catch let error as ConfigError { throw error.prefixed(key) }
}
