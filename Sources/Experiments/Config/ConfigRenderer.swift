import Yams

/// Renders a config back to YAML: what `mbrl run --dry-run` prints and what a
/// run saves as `config.yaml` beside its metrics.
///
/// The rendering is stable: keys in the order each section's `encode(to:)`
/// writes them (declaration order; dictionaries sorted), numbers in their
/// shortest round-tripping form (`0.001`, `5e-05`), strings quoted only where
/// they would otherwise read as another type (`'true'`, `'3'`), `nil` as
/// `null`. Decoding the rendering gives back an equal config.
public enum ConfigRenderer {
    /// The YAML text of `value`.
    public static func render<T: Encodable>(_ value: T) throws -> String {
        let box = EncodedBox()
        try value.encode(to: ConfigNodeEncoder(box: box, codingPath: []))
        return try Yams.serialize(node: box.node, indent: 2, width: -1, sortKeys: false,
                                  mappingStyle: .block)
    }
}

extension ConfigSection {
    /// This config as YAML (`ConfigRenderer.render(self)`): what `--dry-run` prints.
    public func renderedYAML() throws -> String { try ConfigRenderer.render(self) }
}

/// The tree an `Encodable` writes into, converted to a `Node` at the end.
final class EncodedBox {
    enum Storage {
        case empty
        case scalar(Node)
        case mapping([(String, EncodedBox)])
        case sequence([EncodedBox])
    }

    var storage = Storage.empty

    func child(forKey key: String) -> EncodedBox {
        var pairs: [(String, EncodedBox)] = []
        if case .mapping(let existing) = storage {
            if let found = existing.first(where: { $0.0 == key }) { return found.1 }
            pairs = existing
        }
        let child = EncodedBox()
        pairs.append((key, child))
        storage = .mapping(pairs)
        return child
    }

    func appendChild() -> EncodedBox {
        var elements: [EncodedBox] = []
        if case .sequence(let existing) = storage { elements = existing }
        let child = EncodedBox()
        elements.append(child)
        storage = .sequence(elements)
        return child
    }

    var node: Node {
        switch storage {
        case .empty: return Node.mapping(Node.Mapping([]))
        case .scalar(let node): return node
        case .mapping(let pairs): return .mapping(Node.Mapping(pairs.map { (Node($0.0), $0.1.node) }))
        case .sequence(let elements): return .sequence(Node.Sequence(elements.map(\.node)))
        }
    }

    static func scalar(_ text: String) -> Node { Node(text, .implicit, .plain) }

    /// A string scalar, single-quoted when its plain form would read as another type.
    static func string(_ text: String) -> Node {
        let plain = ConfigScalar(Node.Scalar(text, .implicit, .plain))
        return Node(text, .implicit, plain == .string(text) ? .any : .singleQuoted)
    }
}

/// An `Encoder` that writes into an `EncodedBox`.
struct ConfigNodeEncoder: Encoder {
    let box: EncodedBox
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .mapping = box.storage {} else { box.storage = .mapping([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .sequence = box.storage {} else { box.storage = .sequence([]) }
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        SingleValueContainer(box: box, codingPath: codingPath)
    }

    /// Writes `value` into `box`: primitives as scalars, anything else through its `encode(to:)`.
    static func write<T: Encodable>(_ value: T, into box: EncodedBox, codingPath: [CodingKey]) throws {
        switch value {
        case let v as Bool: box.storage = .scalar(EncodedBox.scalar(String(v)))
        case let v as String: box.storage = .scalar(EncodedBox.string(v))
        case let v as Double: box.storage = .scalar(EncodedBox.scalar(ConfigScalar.render(v)))
        case let v as Float:
            box.storage = .scalar(EncodedBox.scalar(v.isFinite ? String(v) : ConfigScalar.render(Double(v))))
        case let v as any BinaryInteger: box.storage = .scalar(EncodedBox.scalar(String(describing: v)))
        default: try value.encode(to: ConfigNodeEncoder(box: box, codingPath: codingPath))
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: EncodedBox
        let codingPath: [CodingKey]

        mutating func encodeNil(forKey key: Key) throws {
            box.child(forKey: key.stringValue).storage = .scalar(EncodedBox.scalar("null"))
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try ConfigNodeEncoder.write(value, into: box.child(forKey: key.stringValue), codingPath: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                            forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            ConfigNodeEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key])
                .container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            ConfigNodeEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key])
                .unkeyedContainer()
        }

        mutating func superEncoder() -> Encoder { ConfigNodeEncoder(box: box, codingPath: codingPath) }

        mutating func superEncoder(forKey key: Key) -> Encoder {
            ConfigNodeEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let box: EncodedBox
        let codingPath: [CodingKey]
        var count: Int {
            if case .sequence(let elements) = box.storage { return elements.count }
            return 0
        }

        mutating func encodeNil() throws { box.appendChild().storage = .scalar(EncodedBox.scalar("null")) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            let key = AnyConfigKey(index: count)
            try ConfigNodeEncoder.write(value, into: box.appendChild(), codingPath: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey> {
            ConfigNodeEncoder(box: box.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            ConfigNodeEncoder(box: box.appendChild(), codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> Encoder { ConfigNodeEncoder(box: box.appendChild(), codingPath: codingPath) }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let box: EncodedBox
        let codingPath: [CodingKey]

        mutating func encodeNil() throws { box.storage = .scalar(EncodedBox.scalar("null")) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try ConfigNodeEncoder.write(value, into: box, codingPath: codingPath)
        }
    }
}
