import Yams

/// A strict `Decoder` over a Yams `Node` tree, used to read experiment configs.
///
/// Differences from Yams' own `YAMLDecoder`:
/// - scalars are read with the YAML 1.2 core schema (`ConfigScalar`): quoted
///   values are strings, `1e-3` is a number, `yes` is not a boolean;
/// - integers must be integer literals (`1.5` and `"3"` are errors), numbers
///   accept integers, strings accept any non-null scalar;
/// - every error is a `ConfigError` carrying the key path (`planner.population`)
///   and what was expected and found;
/// - every key a section asks for (`contains`, `decode`, `decodeIfPresent`) is
///   recorded in the shared `ConfigDecodingContext`, so the keys present in the
///   YAML that nobody asked for can be reported as unknown afterwards.
///
/// Config sections decode every field with `decodeIfPresent` (they all have
/// defaults), which is what makes "asked for" equal to "in the schema".
struct ConfigNodeDecoder: Decoder {
    let node: Node
    let codingPath: [CodingKey]
    let context: ConfigDecodingContext
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var keyPath: [String] { codingPath.map(\.stringValue) }

    func mismatch(_ expected: String) -> ConfigError {
        ConfigError(.typeMismatch(expected: expected, found: node.foundDescription), keyPath: keyPath)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else { throw mismatch("a mapping (a section of key: value lines)") }
        context.register(mapping, at: keyPath)
        return KeyedDecodingContainer(ConfigKeyedContainer<Key>(mapping: mapping, decoder: self))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else { throw mismatch("a list") }
        return ConfigUnkeyedContainer(elements: Array(sequence), decoder: self)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { ConfigSingleValueContainer(decoder: self) }

    /// The decoder for a child node.
    func child(_ node: Node, key: CodingKey) -> ConfigNodeDecoder {
        ConfigNodeDecoder(node: node, codingPath: codingPath + [key], context: context)
    }

    // MARK: - Scalars

    var scalar: ConfigScalar? {
        if case .scalar(let s) = node { return ConfigScalar(s) }
        return nil
    }

    var isNull: Bool { scalar == .null }

    func decodeBool() throws -> Bool {
        guard case .bool(let v)? = scalar else { throw mismatch("a boolean (true or false)") }
        return v
    }

    func decodeString() throws -> String {
        guard case .scalar(let s) = node, scalar != .null else { throw mismatch("a string") }
        return s.string
    }

    func decodeDouble() throws -> Double {
        switch scalar {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: throw mismatch("a number")
        }
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .int(let v)? = scalar else {
            if case .scalar(let s) = node, s.style == .plain || s.style == .any,
               case .string(let text)? = scalar, ConfigScalar.isInteger(text.replacingOccurrences(of: "_", with: "")) {
                // An integer literal too large for Int (ConfigScalar keeps it as text).
                throw ConfigError(.outOfRange(expected: "an integer in \(T.min)...\(T.max)", found: text), keyPath: keyPath)
            }
            throw mismatch("an integer")
        }
        guard let exact = T(exactly: v) else {
            throw ConfigError(.outOfRange(expected: "an integer in \(T.min)...\(T.max)", found: String(v)), keyPath: keyPath)
        }
        return exact
    }

    func decodeFloat() throws -> Float {
        let v = try decodeDouble()
        let f = Float(v)
        if v.isFinite && !f.isFinite {
            throw ConfigError(.outOfRange(expected: "a number within Float range (about ±3.4e38)",
                                          found: ConfigScalar.render(v)), keyPath: keyPath)
        }
        return f
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is Bool.Type: return try decodeBool() as! T
        case is String.Type: return try decodeString() as! T
        case is Double.Type: return try decodeDouble() as! T
        case is Float.Type: return try decodeFloat() as! T
        case is Int.Type: return try decodeInteger(Int.self) as! T
        default:
            do {
                return try T(from: self)
            } catch let error as DecodingError {
                throw ConfigError(decodingError: error)
            }
        }
    }
}

extension ConfigError {
    /// A `ConfigError` for a `DecodingError` thrown by a type that does not throw `ConfigError` itself.
    init(decodingError: DecodingError) {
        switch decodingError {
        case .typeMismatch(let type, let context):
            self.init(.typeMismatch(expected: "\(type)", found: context.debugDescription),
                      keyPath: context.codingPath.map(\.stringValue))
        case .valueNotFound(let type, let context):
            self.init(.typeMismatch(expected: "\(type)", found: "null"), keyPath: context.codingPath.map(\.stringValue))
        case .keyNotFound(let key, let context):
            self.init(.missingKey, keyPath: (context.codingPath + [key]).map(\.stringValue))
        case .dataCorrupted(let context):
            self.init(.typeMismatch(expected: context.debugDescription, found: "an invalid value"),
                      keyPath: context.codingPath.map(\.stringValue))
        @unknown default:
            self.init(.typeMismatch(expected: "a valid value", found: "\(decodingError)"))
        }
    }
}

/// Shared state of one decode: which keys each mapping was asked for.
///
/// A class because every container of one decode must see the same record
/// (identity matters); one is made per `ConfigLoader` call, never shared.
final class ConfigDecodingContext {
    struct Section {
        var keyPath: [String]
        var mapping: Node.Mapping
        var requested: Set<String> = []
        var acceptsAnyKey = false
    }

    private(set) var sections: [[String]: Section] = [:]

    func register(_ mapping: Node.Mapping, at keyPath: [String]) {
        if sections[keyPath] == nil { sections[keyPath] = Section(keyPath: keyPath, mapping: mapping) }
    }

    func request(_ key: String, at keyPath: [String]) { sections[keyPath]?.requested.insert(key) }

    /// A mapping read as a dictionary (`allKeys`): every key is valid.
    func acceptAnyKey(at keyPath: [String]) { sections[keyPath]?.acceptsAnyKey = true }

    /// Keys present in the YAML but never asked for, in document order, each
    /// with the closest valid key.
    func unknownKeys() -> [ConfigError] {
        var found: [(line: Int, column: Int, error: ConfigError)] = []
        for section in sections.values where !section.acceptsAnyKey {
            let valid = section.requested.sorted()
            for (keyNode, _) in section.mapping {
                let key = keyNode.string ?? keyNode.foundDescription
                guard !section.requested.contains(key) else { continue }
                var error = ConfigError(.unknownKey(suggestion: KeySuggestion.closest(to: key, in: valid), valid: valid),
                                        keyPath: section.keyPath + [key])
                error.line = keyNode.mark?.line
                error.column = keyNode.mark?.column
                found.append((error.line ?? 0, error.column ?? 0, error))
            }
        }
        return found.sorted { ($0.line, $0.column) < ($1.line, $1.column) }.map(\.error)
    }
}
