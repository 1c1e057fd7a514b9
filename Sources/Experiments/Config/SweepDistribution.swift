import Foundation
import SeededRandom
import Yams

/// How `sweep.random` draws one key's value: `{uniform: [lo, hi]}`,
/// `{log_uniform: [lo, hi]}` (0 < lo), `{int: [lo, hi]}` (inclusive) or
/// `{choice: [a, b, ...]}`. Bounds need lo <= hi.
enum SweepDistribution {
    case uniform(Double, Double)
    case logUniform(Double, Double)
    case int(Int, Int)
    case choice([Node])

    static let kinds = ["choice", "int", "log_uniform", "uniform"]

    /// Reads `{kind: [...]}` at `keyPath` (for errors).
    init(_ node: Node, keyPath: [String], file: String) throws {
        func fail(_ kind: ConfigError.Kind, _ path: [String], _ at: Node) -> ConfigError {
            SweepSpace.error(kind, path, at: at, file: file)
        }
        guard case .mapping(let mapping) = node, mapping.count == 1, let (keyNode, value) = mapping.first.map({ ($0.key, $0.value) }) else {
            throw fail(.typeMismatch(expected: "one distribution such as {log_uniform: [1.0e-4, 1.0e-2]}, {uniform: [lo, hi]}, {int: [lo, hi]} or {choice: [a, b]}",
                                     found: node.foundDescription), keyPath, node)
        }
        let kind = keyNode.string ?? ""
        guard Self.kinds.contains(kind) else {
            throw fail(.unknownKey(suggestion: KeySuggestion.closest(to: kind, in: Self.kinds), valid: Self.kinds), keyPath + [kind], keyNode)
        }
        guard case .sequence(let values) = value, !values.isEmpty else {
            throw fail(.outOfRange(expected: kind == "choice" ? "a non-empty list of values" : "a list [lo, hi]",
                                   found: Self.isEmptyList(value) ? "an empty list" : value.foundDescription), keyPath + [kind], value)
        }
        if kind == "choice" { self = .choice(Array(values)); return }
        guard values.count == 2 else {
            throw fail(.outOfRange(expected: "a list [lo, hi] of two numbers", found: "\(values.count) values"), keyPath + [kind], value)
        }
        func number(_ element: Node) throws -> Double {
            switch element.scalar.map(ConfigScalar.init) {
            case .int(let n)?: return Double(n)
            case .double(let x)? where x.isFinite: return x
            default: throw fail(.typeMismatch(expected: "a finite number", found: element.foundDescription), keyPath + [kind], element)
            }
        }
        let lo = try number(values[0]), hi = try number(values[1])
        guard lo <= hi else {
            throw fail(.outOfRange(expected: "lo <= hi", found: "[\(SweepSpace.render(values[0])), \(SweepSpace.render(values[1]))]"), keyPath + [kind], value)
        }
        switch kind {
        case "uniform": self = .uniform(lo, hi)
        case "log_uniform":
            guard lo > 0 else { throw fail(.outOfRange(expected: "0 < lo <= hi", found: "lo \(SweepSpace.render(values[0]))"), keyPath + [kind], value) }
            self = .logUniform(lo, hi)
        default:
            guard lo == lo.rounded(), hi == hi.rounded(), abs(lo) < 1e15, abs(hi) < 1e15 else {
                throw fail(.typeMismatch(expected: "two integers", found: "[\(SweepSpace.render(values[0])), \(SweepSpace.render(values[1]))]"), keyPath + [kind], value)
            }
            self = .int(Int(lo), Int(hi))
        }
    }

    static func isEmptyList(_ node: Node) -> Bool {
        if case .sequence(let s) = node { return s.isEmpty }
        return false
    }

    /// One value, as a YAML node (a number as a plain scalar; a choice as written in the file).
    func sample(using generator: inout SeededGenerator) -> Node {
        switch self {
        case .uniform(let lo, let hi): return Self.plain("\(lo + (hi - lo) * generator.uniformDouble())")
        case .logUniform(let lo, let hi): return Self.plain("\(min(hi, max(lo, exp(log(lo) + (log(hi) - log(lo)) * generator.uniformDouble()))))")
        case .int(let lo, let hi): return Self.plain(String(Int.random(in: lo...hi, using: &generator)))
        case .choice(let values): return values[Int.random(in: 0..<values.count, using: &generator)]
        }
    }

    static func plain(_ text: String) -> Node { Node(text, .implicit, .plain) }
}
