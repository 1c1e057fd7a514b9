/// A section of an experiment config (`model:`, `planner:`, ...) or the whole
/// config: a `Codable` struct whose every field has a default.
///
/// Contract:
/// - `init()` gives the defaults;
/// - `init(from:)` starts from the defaults and replaces each field present in
///   the YAML, with `KeyedDecodingContainer.update(_:_:)` (which uses
///   `decodeIfPresent`), so every schema key is *asked for* and keys nobody
///   asked for can be reported as unknown (`ConfigDecodingContext`);
/// - `encode(to:)` writes every field, in declaration order, `nil` as `null`
///   (the resolved config shown by `--dry-run` and saved with a run);
/// - `validate()` checks ranges and cross-field rules and throws a
///   `ConfigError` whose key path is relative to the section (parents prefix
///   it with `validating(_:_:)`).
public protocol ConfigSection: Codable, Equatable, Sendable {
    init()
    func validate() throws
}

/// A variant chosen by name in a config (`planner.kind: cem`): a `String` enum
/// whose decoding error lists the valid choices.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// The valid spellings, in declaration order.
    public static var choices: [String] { allCases.map(\.rawValue) }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw ConfigError(.invalidChoice(found: "'\(raw)'", valid: Self.choices),
                              keyPath: decoder.codingPath.map(\.stringValue))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension KeyedDecodingContainer {
    /// Replaces `value` with the value at `key` when the key is present and not null.
    func update<T: Decodable>(_ value: inout T, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }

    /// Throws `inapplicable` for the first of `keys` present (and not null) in
    /// the YAML when `applies` is false. A null value is allowed, so an
    /// override `key=` clears a key that a file set for another variant.
    func reject(_ keys: [Key], unless applies: Bool, _ reason: (Key) -> String) throws {
        guard !applies else { return }
        for key in keys where try contains(key) && !decodeNil(forKey: key) {
            throw ConfigError(.inapplicable(reason: reason(key)), keyPath: (codingPath + [key]).map(\.stringValue))
        }
    }
}

// MARK: - Range checks used by `validate()`

/// Throws `outOfRange` for `key` unless `condition` holds.
func require(_ condition: Bool, _ key: String, expected: String, found: @autoclosure () -> String) throws {
    if !condition { throw ConfigError(.outOfRange(expected: expected, found: found()), keyPath: [key]) }
}

func requireAtLeast(_ value: Int, _ minimum: Int, _ key: String) throws {
    try require(value >= minimum, key, expected: "an integer of at least \(minimum)", found: String(value))
}

func requirePositive(_ value: Double, _ key: String) throws {
    try require(value.isFinite && value > 0, key, expected: "a finite number greater than 0",
                found: ConfigScalar.render(value))
}

/// `value` in `[low, high]` or `[low, high)` / `(low, high]` by the open flags.
func requireInterval(_ value: Double, _ key: String, _ low: Double, _ high: Double,
                     lowOpen: Bool = false, highOpen: Bool = false) throws {
    let aboveLow = lowOpen ? value > low : value >= low
    let belowHigh = highOpen ? value < high : value <= high
    let interval = "\(lowOpen ? "(" : "[")\(ConfigScalar.render(low)), \(ConfigScalar.render(high))\(highOpen ? ")" : "]")"
    try require(aboveLow && belowHigh, key, expected: "a number in \(interval)", found: ConfigScalar.render(value))
}
