import Foundation
import SeededRandom
import Yams

/// The `sweep:` section of a config file: the **points** of a hyper-parameter
/// search, each a set of `key.path: value` overrides. `ExperimentSweep` makes
/// one run per (variant × point × seed).
///
/// ```yaml
/// sweep:
///   workers: 2                                   # optional: default of `mbrl sweep --workers`
///   grid: {planner.horizon: [10, 15], model.learning_rate: [1.0e-3, 3.0e-3]}   # cartesian product
///   random:
///     samples: 4
///     seed: 0
///     keys:
///       model.learning_rate: {log_uniform: [1.0e-4, 1.0e-2]}
///       planner.horizon: {int: [5, 20]}           # inclusive
///       model.weight_decay: {uniform: [0.0, 1.0e-4]}
///       planner.kind: {choice: [cem, mppi]}
/// ```
///
/// The points are the grid's product (the first key varies slowest) times the
/// random samples (drawn in order, each key in file order, from a
/// `SeededGenerator` seeded with `random.seed`: the same file gives the same
/// points). With only one of `grid` and `random`, the points are its own.
/// Every value keeps its place in the file, so a key the schema does not have
/// or a value of the wrong type is an error at that `line:column`.
public struct SweepSpace: Sendable {
    /// One point: the overrides it applies (in file order). (`@unchecked`: Yams' `Node`, a value
    /// type of strings, is not marked `Sendable`.)
    public struct Point: @unchecked Sendable, Equatable {
        /// `key.path=value` of each override, as recorded in the sweep manifest.
        public var assignments: [String]
        /// The overrides with the file positions of their keys (and of their values when from the file).
        var overrides: [ConfigOverride]

        public static func == (a: Point, b: Point) -> Bool { a.assignments == b.assignments }
    }

    /// The points, in order (empty without a `sweep:` section).
    public var points: [Point] = []
    /// `sweep.workers`, when given.
    public var workers: Int?

    /// The most points a `sweep:` section may define (each is at least one run).
    public static let maximumPoints = 100_000

    public init() {}

    // MARK: - Reading

    static func error(_ kind: ConfigError.Kind, _ keyPath: [String], at node: Node, file: String) -> ConfigError {
        ConfigError(kind, keyPath: keyPath, file: file, line: node.mark?.line, column: node.mark?.column)
    }

    static func isNull(_ node: Node) -> Bool { node.scalar.map { ConfigScalar($0) == .null } ?? false }

    /// Reads a `sweep:` node.
    static func read(_ node: Node, file: String) throws -> SweepSpace {
        guard case .mapping(let mapping) = node else {
            throw error(.typeMismatch(expected: "a mapping with grid, random or workers", found: node.foundDescription),
                        ["sweep"], at: node, file: file)
        }
        var space = SweepSpace()
        var grid: [[Entry]] = [[]]
        var random: [[Entry]] = [[]]
        let valid = ["grid", "random", "workers"]
        for (keyNode, value) in mapping where !isNull(value) {
            switch keyNode.string ?? "" {
            case "grid": grid = try readGrid(value, file: file)
            case "random": random = try readRandom(value, file: file)
            case "workers":
                guard let scalar = value.scalar, case .int(let workers) = ConfigScalar(scalar) else {
                    throw error(.typeMismatch(expected: "an integer", found: value.foundDescription), ["sweep", "workers"], at: value, file: file)
                }
                guard workers >= 1 else {
                    throw error(.outOfRange(expected: "an integer of at least 1", found: String(workers)), ["sweep", "workers"], at: value, file: file)
                }
                space.workers = workers
            default:
                let key = keyNode.string ?? ""
                throw error(.unknownKey(suggestion: KeySuggestion.closest(to: key, in: valid), valid: valid), ["sweep", key], at: keyNode, file: file)
            }
        }
        guard grid.count * random.count <= maximumPoints else {
            throw error(.outOfRange(expected: "at most \(maximumPoints) points", found: "\(grid.count) grid points x \(random.count) samples"),
                        ["sweep"], at: node, file: file)
        }
        for g in grid {
            for r in random where !(g + r).isEmpty {
                let entries = g + r
                space.points.append(Point(assignments: entries.map(\.text), overrides: entries.map(\.override)))
            }
        }
        return space
    }

    /// One override of a point and its `key=value` text.
    struct Entry {
        var override: ConfigOverride
        var text: String
        init(keyNode: Node, path: [String], section: String, value: Node) {
            text = path.joined(separator: ".") + "=" + SweepSpace.render(value)
            override = ConfigOverride(keyPath: path, value: value, text: "sweep.\(section).\(path.joined(separator: "."))", sourceKey: keyNode)
        }
    }

    /// A key of `grid` or `random.keys`: a non-empty dotted path outside the sweep keys.
    static func keyPath(_ keyNode: Node, section: [String], file: String) throws -> [String] {
        let key = keyNode.string ?? ""
        let segments = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, !segments.contains(where: \.isEmpty) else {
            throw error(.typeMismatch(expected: "a key path of non-empty segments separated by '.', e.g. planner.horizon", found: "'\(key)'"),
                        section + [key], at: keyNode, file: file)
        }
        guard !["variants", "seeds", "sweep", "seed"].contains(segments[0]) else {
            throw error(.inapplicable(reason: "a sweep point cannot set \(segments[0]); use seeds or variants at the top level"),
                        section + [key], at: keyNode, file: file)
        }
        return segments
    }

    /// `grid: {key.path: [v1, v2], ...}` → the cartesian product, first key slowest.
    static func readGrid(_ node: Node, file: String) throws -> [[Entry]] {
        guard case .mapping(let mapping) = node, !mapping.isEmpty else {
            throw error(.typeMismatch(expected: "a non-empty mapping of key paths to lists of values, e.g. {planner.horizon: [10, 15]}",
                                      found: node.foundDescription), ["sweep", "grid"], at: node, file: file)
        }
        var product: [[Entry]] = [[]]
        for (keyNode, value) in mapping {
            let path = try keyPath(keyNode, section: ["sweep", "grid"], file: file)
            let dotted = path.joined(separator: ".")
            guard case .sequence(let values) = value else {
                throw error(.typeMismatch(expected: "a list of values, e.g. [10, 15]", found: value.foundDescription),
                            ["sweep", "grid", dotted], at: value, file: file)
            }
            guard !values.isEmpty else {
                throw error(.outOfRange(expected: "at least one value", found: "an empty list"), ["sweep", "grid", dotted], at: value, file: file)
            }
            guard product.count * values.count <= maximumPoints else {
                throw error(.outOfRange(expected: "a grid of at most \(maximumPoints) points", found: "\(product.count * values.count) or more"),
                            ["sweep", "grid"], at: node, file: file)
            }
            product = product.flatMap { prefix in values.map { prefix + [Entry(keyNode: keyNode, path: path, section: "grid", value: $0)] } }
        }
        return product
    }

    /// `random: {samples: n, seed: s, keys: {key.path: {distribution: [...]}}}` → n samples.
    static func readRandom(_ node: Node, file: String) throws -> [[Entry]] {
        let section = ["sweep", "random"]
        guard case .mapping(let mapping) = node else {
            throw error(.typeMismatch(expected: "a mapping with samples, seed and keys", found: node.foundDescription), section, at: node, file: file)
        }
        var samples: Int?, seed = 0
        var keys: Node.Mapping?
        let valid = ["keys", "samples", "seed"]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "samples", "seed":
                guard let scalar = value.scalar, case .int(let number) = ConfigScalar(scalar) else {
                    throw error(.typeMismatch(expected: "an integer", found: value.foundDescription), section + [key], at: value, file: file)
                }
                guard key == "seed" || number <= maximumPoints else {
                    throw error(.outOfRange(expected: "at most \(maximumPoints) samples", found: String(number)), section + [key], at: value, file: file)
                }
                guard number >= (key == "samples" ? 1 : 0) else {
                    throw error(.outOfRange(expected: "an integer of at least \(key == "samples" ? 1 : 0)", found: String(number)),
                                section + [key], at: value, file: file)
                }
                if key == "samples" { samples = number } else { seed = number }
            case "keys":
                guard case .mapping(let m) = value, !m.isEmpty else {
                    throw error(.typeMismatch(expected: "a non-empty mapping of key paths to distributions, e.g. {planner.horizon: {int: [5, 20]}}",
                                              found: value.foundDescription), section + ["keys"], at: value, file: file)
                }
                keys = m
            default:
                throw error(.unknownKey(suggestion: KeySuggestion.closest(to: key, in: valid), valid: valid), section + [key], at: keyNode, file: file)
            }
        }
        guard let samples else { throw error(.missingKey, section + ["samples"], at: node, file: file) }
        guard let keys else { throw error(.missingKey, section + ["keys"], at: node, file: file) }
        let distributions = try keys.map { keyNode, value in
            let path = try keyPath(keyNode, section: section + ["keys"], file: file)
            return (keyNode, path, try SweepDistribution(value, keyPath: section + ["keys", path.joined(separator: ".")], file: file))
        }
        var generator = SeededGenerator(seed: UInt64(seed))
        return (0..<samples).map { _ in
            distributions.map { keyNode, path, distribution in
                Entry(keyNode: keyNode, path: path, section: "random", value: distribution.sample(using: &generator))
            }
        }
    }

    /// A value as `key=value` text: scalars as written, lists and mappings in flow style.
    static func render(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string
        case .sequence(let sequence): return "[" + sequence.map(render).joined(separator: ", ") + "]"
        case .mapping(let mapping): return "{" + mapping.map { render($0.key) + ": " + render($0.value) }.joined(separator: ", ") + "}"
        case .alias: return "*alias"
        }
    }
}
