import Foundation
import Yams

/// A command-line override `key.path=value` (e.g. `planner.population=100`,
/// `model.backbone=gru`, `env.settings={gravity: 9.8}`).
///
/// The value is parsed as a YAML flow value, so `3` is an integer, `"3"` a
/// string, `[1, 2]` a list and an empty value null (which resets a key to its
/// default). Overrides are applied to the YAML tree before decoding, so they
/// are type-checked and range-checked exactly like the file; a key path the
/// schema does not have is reported as an unknown key of the override, with
/// the closest valid key.
public struct ConfigOverride: Equatable {
    /// The override as given (`planner.population=100`).
    public var text: String
    /// The key path (`["planner", "population"]`).
    public var keyPath: [String]
    /// The parsed value, without marks (it did not come from the file); a
    /// variant's override keeps the marks of its value in the file.
    var value: Node
    /// The key node of a variant's entry in the file (whose mark errors point
    /// to); nil for command-line overrides.
    var sourceKey: Node?

    /// Where a variant's override was written in the file (nil for command-line overrides).
    var keyMark: Mark? { sourceKey?.mark }

    /// Parses `key.path=value`; a missing `=`, an empty key segment or a value
    /// that is not valid YAML are `malformedOverride` errors.
    public init(_ text: String) throws {
        func malformed(_ reason: String) -> ConfigError {
            ConfigError(.malformedOverride(reason: reason), override: text)
        }
        guard let equals = text.firstIndex(of: "=") else { throw malformed("missing '='") }
        let key = text[..<equals].trimmingCharacters(in: .whitespaces)
        let rawValue = String(text[text.index(after: equals)...])
        let segments = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty else { throw malformed("empty key before '='") }
        guard !segments.contains(where: { $0.isEmpty }) else { throw malformed("empty segment in key '\(key)'") }
        let parsed: Node?
        do {
            parsed = try Yams.compose(yaml: rawValue)
        } catch let error as YamlError {
            throw malformed("value '\(rawValue)' is not valid YAML (\(ConfigLoader.problem(of: error)))")
        }
        self.text = text
        self.keyPath = segments
        self.value = (parsed ?? Node("", .implicit, .plain)).withoutMarks
    }

    /// An override read from a file (a sweep variant's entry `key.path: value`):
    /// `value` keeps its marks, and keys it creates carry the mark of `sourceKey`.
    init(keyPath: [String], value: Node, text: String, sourceKey: Node) {
        self.text = text
        self.keyPath = keyPath
        self.value = value
        self.sourceKey = sourceKey
    }

    /// `root` with this override's value set at its key path; intermediate
    /// mappings are created where absent (or null). Setting inside a scalar or
    /// list is a `typeMismatch` error.
    func applied(to root: Node) throws -> Node {
        try set(value, at: keyPath[...], in: root, prefix: [])
    }

    private func set(_ value: Node, at path: ArraySlice<String>, in node: Node, prefix: [String]) throws -> Node {
        guard let key = path.first else { return value }
        var mapping: Node.Mapping
        switch node {
        case .mapping(let m):
            mapping = m
        case .scalar(let s) where ConfigScalar(s) == .null:
            mapping = Node.Mapping([])
        default:
            throw ConfigError(.typeMismatch(expected: "a mapping to set '\(key)' in", found: node.foundDescription),
                              keyPath: prefix, override: text)
        }
        let index = mapping.firstIndex { $0.key.string == key }
        let child = index.map { mapping[$0].value } ?? Node("", .implicit, .plain)
        let updated = try set(value, at: path.dropFirst(), in: child, prefix: prefix + [key])
        var pairs = mapping.map { ($0.key, $0.value) }
        if let index {
            pairs[index] = (pairs[index].0, updated)
        } else {
            var keyNode = Node(key)
            if case .scalar(var scalar) = keyNode, let keyMark {
                scalar.mark = keyMark
                keyNode = .scalar(scalar)
            }
            pairs.append((keyNode, updated))
        }
        var result = Node.Mapping(pairs, mapping.tag, mapping.style)
        result.mark = mapping.mark
        return .mapping(result)
    }
}

extension Node {
    /// This node with every mark removed (values that did not come from a file).
    var withoutMarks: Node {
        switch self {
        case .scalar(var s):
            s.mark = nil
            return .scalar(s)
        case .mapping(let m):
            return .mapping(Node.Mapping(m.map { ($0.key.withoutMarks, $0.value.withoutMarks) }, m.tag, m.style))
        case .sequence(let s):
            return .sequence(Node.Sequence(s.map(\.withoutMarks), s.tag, s.style))
        case .alias:
            return self
        }
    }
}
