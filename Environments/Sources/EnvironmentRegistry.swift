/// Environments by id (Gymnasium's `gym.make` registry), with keyword settings.
///
/// The registry is a value: `EnvironmentRegistry.builtin` holds the built-in
/// environments, and a user adds their own to a copy:
///
/// ```swift
/// var registry = EnvironmentRegistry.builtin
/// registry.register(EnvironmentSpec(id: "MyEnv-v0", summary: "...", settings: []) { _ in MyEnv() })
/// var env = try registry.make("MyEnv-v0")
/// ```
///
/// `make` wraps the environment in `TimeLimit` when the spec has
/// `maxEpisodeSteps` (as `gym.make` does). Unknown ids are errors that suggest
/// the closest ids; unknown settings are errors that list the valid ones.
public struct EnvironmentRegistry: Sendable {
    public private(set) var specs: [String: EnvironmentSpec] = [:]

    public init() {}

    /// Registered ids, sorted.
    public var ids: [String] { specs.keys.sorted() }

    /// Adds (or replaces) an environment.
    public mutating func register(_ spec: EnvironmentSpec) { specs[spec.id] = spec }

    /// The spec for `id`, or `unknownID` with the closest ids.
    public func spec(_ id: String) throws -> EnvironmentSpec {
        guard let spec = specs[id] else {
            throw EnvironmentError.unknownID(id: id, suggestions: closestIDs(to: id))
        }
        return spec
    }

    /// Creates the environment `id` with `settings` (checked against the spec).
    public func make(_ id: String, settings: [String: SettingValue] = [:]) throws -> any Environment {
        let spec = try spec(id)
        let checked = try EnvironmentSettings(id: id, values: settings, specs: spec.settings)
        return try spec.make(checked)
    }

    /// Up to three registered ids closest to `id` (edit distance, case-insensitive).
    public func closestIDs(to id: String, limit: Int = 3) -> [String] {
        let target = Array(id.lowercased())
        let threshold = max(3, target.count / 2)
        var scored: [(id: String, distance: Int)] = []
        for candidate in ids {
            let lowered = candidate.lowercased()
            let distance = editDistance(Array(lowered), target)
            if distance <= threshold || lowered.contains(String(target)) {
                scored.append((candidate, distance))
            }
        }
        scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id < $1.id }
        return scored.prefix(limit).map { $0.id }
    }
}

/// One registered environment: its id, a one-line summary, the settings it
/// accepts, and a factory.
public struct EnvironmentSpec: Sendable {
    public var id: String
    public var summary: String
    public var settings: [SettingSpec]
    public var make: @Sendable (EnvironmentSettings) throws -> any Environment

    public init(id: String, summary: String, settings: [SettingSpec] = [],
                make: @escaping @Sendable (EnvironmentSettings) throws -> any Environment) {
        self.id = id
        self.summary = summary
        self.settings = settings
        self.make = make
    }
}

/// A setting an environment accepts, with its default and a one-line description.
public struct SettingSpec: Sendable, Hashable {
    public var key: String
    public var defaultValue: SettingValue
    public var summary: String

    public init(_ key: String, default defaultValue: SettingValue, _ summary: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// A setting's value (as read from a config file or the command line).
public enum SettingValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return String(v)
        case .string(let v): return "'\(v)'"
        }
    }

    var typeName: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .string: return "a string"
        }
    }
}

/// Settings after checking against an environment's `SettingSpec`s: every key
/// is known, and typed accessors fall back to the spec's default.
public struct EnvironmentSettings: Sendable {
    public let id: String
    public let values: [String: SettingValue]
    public let specs: [SettingSpec]

    /// Checks `values` against `specs`; unknown keys and wrong types are errors.
    public init(id: String, values: [String: SettingValue], specs: [SettingSpec]) throws {
        let known = Dictionary(uniqueKeysWithValues: specs.map { ($0.key, $0) })
        for (key, value) in values {
            guard let spec = known[key] else {
                throw EnvironmentError.unknownSetting(id: id, key: key, valid: specs.map(\.key).sorted())
            }
            switch (spec.defaultValue, value) {
            case (.int, .int), (.double, .double), (.double, .int), (.bool, .bool), (.string, .string): break
            default:
                throw EnvironmentError.invalidSetting(id: id, key: key, expected: spec.defaultValue.typeName,
                                                      got: "\(value) (\(value.typeName))")
            }
        }
        self.id = id
        self.values = values
        self.specs = specs
    }

    private func value(_ key: String) -> SettingValue {
        if let v = values[key] { return v }
        guard let spec = specs.first(where: { $0.key == key }) else {
            preconditionFailure("\(id): setting '\(key)' read but not declared in its SettingSpecs")
        }
        return spec.defaultValue
    }

    /// The setting `key` as an integer: the value given, or the spec's default. Reading a
    /// key the spec does not declare, or with another type, is a programmer error
    /// (values were checked against the specs when the settings were made).
    public func int(_ key: String) -> Int {
        if case .int(let v) = value(key) { return v }
        preconditionFailure("\(id): setting '\(key)' is not an integer")
    }

    /// The setting `key` as a number (an integer setting reads as one too): the value given, or the spec's default. Reading a
    /// key the spec does not declare, or with another type, is a programmer error
    /// (values were checked against the specs when the settings were made).
    public func double(_ key: String) -> Double {
        switch value(key) {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: preconditionFailure("\(id): setting '\(key)' is not a number")
        }
    }

    /// The setting `key` as a boolean: the value given, or the spec's default. Reading a
    /// key the spec does not declare, or with another type, is a programmer error
    /// (values were checked against the specs when the settings were made).
    public func bool(_ key: String) -> Bool {
        if case .bool(let v) = value(key) { return v }
        preconditionFailure("\(id): setting '\(key)' is not a boolean")
    }

    /// The setting `key` as a string: the value given, or the spec's default. Reading a
    /// key the spec does not declare, or with another type, is a programmer error
    /// (values were checked against the specs when the settings were made).
    public func string(_ key: String) -> String {
        if case .string(let v) = value(key) { return v }
        preconditionFailure("\(id): setting '\(key)' is not a string")
    }

    /// An error for a value of the right type but out of range.
    public func invalid(_ key: String, expected: String) -> EnvironmentError {
        .invalidSetting(id: id, key: key, expected: expected, got: value(key).description)
    }
}

/// Levenshtein distance between two character arrays.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
