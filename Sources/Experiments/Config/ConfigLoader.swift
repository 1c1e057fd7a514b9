import Foundation
import Yams

/// Reads a config: YAML file → `Yams.Node` → command-line overrides →
/// strict decoding (`ConfigNodeDecoder`) → unknown-key check → `validate()`.
///
/// Every failure is a `ConfigError` naming the file (or the override), the key
/// path, what was expected and what was found, and the `line:column` of the
/// node when the value came from the file. Nothing here traps on user input.
///
/// ```swift
/// let config = try ConfigLoader.load(ExperimentConfig.self, file: "Configs/pets-cartpole.yaml",
///                                    overrides: ["planner.population=100", "seed=3"])
/// print(try ConfigRenderer.render(config))   // mbrl run --dry-run
/// ```
public enum ConfigLoader {
    /// Loads, overrides, decodes and validates the config at `file`.
    public static func load<T: ConfigSection>(_ type: T.Type = T.self, file: String,
                                              overrides: [String] = []) throws -> T {
        try decode(type, yaml: text(ofFile: file), file: file, overrides: overrides)
    }

    /// The UTF-8 text of the config file at `file`; a missing, unreadable or non-UTF-8 file is a `ConfigError`.
    static func text(ofFile file: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw ConfigError(.fileNotFound, file: file)
        }
        guard !isDirectory.boolValue else { throw ConfigError(.unreadable(reason: "it is a directory"), file: file) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ConfigError(.unreadable(reason: error.localizedDescription), file: file)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(.unreadable(reason: "it is not UTF-8 text"), file: file)
        }
        return text
    }

    /// Decodes and validates `yaml` (named `file` in errors) with `overrides` applied.
    public static func decode<T: ConfigSection>(_ type: T.Type = T.self, yaml: String, file: String = "<config>",
                                                overrides: [String] = []) throws -> T {
        let root = try parse(yaml: yaml, file: file)
        return try decode(type, root: root, file: file, overrides: try overrides.map(ConfigOverride.init))
    }

    /// Decodes and validates the document `root` (from `file`) with `overrides` applied in order.
    static func decode<T: ConfigSection>(_ type: T.Type = T.self, root: Node, file: String,
                                         overrides parsedOverrides: [ConfigOverride]) throws -> T {
        var root = root
        for override in parsedOverrides {
            do {
                root = try override.applied(to: root)
            } catch var error as ConfigError {
                if let mark = override.keyMark {   // a sweep variant's entry: point at it in the file
                    (error.override, error.file, error.line, error.column) = (nil, file, mark.line, mark.column)
                }
                throw error
            }
        }

        let locate = { (error: ConfigError) in locating(error, in: root, file: file, overrides: parsedOverrides) }
        let context = ConfigDecodingContext()
        let value: T
        do {
            value = try ConfigNodeDecoder(node: root, codingPath: [], context: context).decode(T.self)
        } catch let error as ConfigError {
            throw locate(error)
        }
        if let unknown = context.unknownKeys().first { throw locate(unknown) }
        do {
            try value.validate()
        } catch let error as ConfigError {
            throw locate(error)
        }
        return value
    }

    /// The document's root node (an empty mapping for an empty document).
    static func parse(yaml: String, file: String) throws -> Node {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            var configError = ConfigError(.invalidYAML(problem: problem(of: error)), file: file)
            if let mark = mark(of: error) {
                configError.line = mark.line
                configError.column = mark.column
            } else if case .reader(_, let offset?, _, let text) = error, let position = position(ofCharacter: offset, in: text) {
                // Reader errors (a control character, bad encoding) carry an offset, not a mark.
                (configError.line, configError.column) = position
            }
            if case .duplicatedKeysInMapping(let duplicates, let context) = error, let key = duplicates.sorted().first,
               let second = secondOccurrence(of: key, in: yaml, from: context.mark.line) {
                configError.line = second.line
                configError.column = second.column
            }
            throw configError
        }
        guard let root, !(root.scalar.map { ConfigScalar($0) == .null } ?? false) else {
            return .mapping(Node.Mapping([]))
        }
        guard case .mapping = root else {
            var error = ConfigError(.notAMapping(found: root.foundDescription), file: file)
            error.line = root.mark?.line
            error.column = root.mark?.column
            throw error
        }
        return root
    }

    /// Where a block-style key appears for the second time at the same
    /// indentation from `line` on (Yams marks a duplicate at its mapping's start).
    static func secondOccurrence(of key: String, in yaml: String, from line: Int) -> (line: Int, column: Int)? {
        var firstColumn: Int?
        for (index, text) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where index + 1 >= line {
            let indent = text.prefix { $0 == " " }.count
            guard text.dropFirst(indent).hasPrefix(key + ":") else { continue }
            if firstColumn == nil {
                firstColumn = indent
            } else if firstColumn == indent {
                return (index + 1, indent + 1)
            }
        }
        return nil
    }

    /// A one-line description of a Yams parse error (its snippet dropped).
    static func problem(of error: YamlError) -> String {
        func join(_ context: YamlError.Context?, _ problem: String) -> String {
            guard let context else { return problem }
            return "\(problem) (\(context.text) at \(context.mark.line):\(context.mark.column))"
        }
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return join(context, problem)
        case .reader(let problem, _, let value, _):
            // The offending character, when the reader says which (`value` is -1 otherwise).
            return value >= 0 ? problem + String(format: " (U+%04X)", value) : problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key(s) \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) in a mapping"
        default:
            return String(describing: error)
        }
    }

    /// The 1-based `line:column` (column in Unicode scalars) of the character at `offset` (in Characters) of `text`.
    static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int)? {
        guard offset >= 0, let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else { return nil }
        let before = text[..<index].unicodeScalars
        let line = 1 + before.lazy.filter { $0 == "\n" }.count
        let column = 1 + (before.lastIndex(of: "\n").map { before.distance(from: before.index(after: $0), to: before.endIndex) } ?? before.count)
        return (line, column)
    }

    static func mark(of error: YamlError) -> Mark? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark
        case .duplicatedKeysInMapping(_, let context): return context.mark
        default: return nil
        }
    }

    /// Adds the file, the node's `line:column`, or the override that set the value.
    static func locating(_ error: ConfigError, in root: Node, file: String,
                         overrides: [ConfigOverride]) -> ConfigError {
        var error = error
        if error.override != nil { return error }
        error.file = file
        let node = lookup(error.keyPath, in: root, keyNode: error.isUnknownKey)
        if let mark = node?.mark {
            error.line = error.line ?? mark.line
            error.column = error.column ?? mark.column
        } else if node != nil || error.isUnknownKey {
            // A node without a mark was written by an override: the last one touching this path.
            let path = error.keyPath
            if let source = overrides.last(where: { $0.keyPath.starts(with: path) || path.starts(with: $0.keyPath) }) {
                if let mark = source.keyMark {   // a sweep variant's entry in the file
                    error.line = mark.line
                    error.column = mark.column
                } else {
                    error.override = source.text
                }
            }
        }
        return error
    }

    /// The node at `path` (the key's node itself when `keyNode`), or nil.
    static func lookup(_ path: [String], in root: Node, keyNode: Bool) -> Node? {
        var node = root
        for (depth, key) in path.enumerated() {
            switch node {
            case .mapping(let mapping):
                guard let pair = mapping.first(where: { $0.key.string == key }) else { return nil }
                if keyNode && depth == path.count - 1 { return pair.key }
                node = pair.value
            case .sequence(let sequence):
                guard let index = Int(key), sequence.indices.contains(index) else { return nil }
                node = sequence[index]
            default:
                return nil
            }
        }
        return node
    }
}

extension ConfigError {
    var isUnknownKey: Bool {
        if case .unknownKey = kind { return true }
        return false
    }
}

extension ConfigError: LocalizedError {
    public var errorDescription: String? { description }
}
