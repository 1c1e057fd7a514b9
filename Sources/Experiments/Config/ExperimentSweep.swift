import Yams

/// A config file that defines several runs: a base experiment, optional named
/// **variants** (sets of overrides applied on top of the base) and an optional
/// list of **seeds**. `mbrl run` runs every (variant × seed) as its own run;
/// `mbrl eval-model` trains every variant's model on the same data.
///
/// ```yaml
/// name: compare-backbones-cartpole
/// env: {id: ContinuousCartPole-v0}
/// model: {learned_reward: true}
/// seeds: [0, 1, 2]                 # optional: one run per seed (instead of `seed:`)
/// variants:                        # optional: one run per variant, in file order
///   mlp: {model.backbone: mlp}
///   gru: {model.backbone: gru, model.gru.hidden_size: 128, model.train_steps: 2000}
///   s4wm:
///     model.backbone: s4wm
///     model: {s4wm: {d_model: 64}}  # nested mappings are more key-path segments
/// ```
///
/// **Resolution** of one run, in order: the file without `variants` and
/// `seeds` → the variant's entries (each `key.path: value`, applied like a
/// command-line override; later entries win) → `seed` set from `seeds` → the
/// command-line overrides (which have the last word). The result is decoded
/// and validated as an `ExperimentConfig`, so a bad key in a variant is an
/// error naming the file, the `line:column` of the entry, the variant and the
/// key, with the closest valid key. A variant's run is named
/// `{name}-{variant}` (unless the variant sets `name`), so its run directory
/// and `config.yaml` say which variant it is.
///
/// Command-line overrides under `variants.` or `seeds` edit the sweep itself
/// before resolution: `variants.gru.model.train_steps=10` changes one variant
/// (the variant must exist), `variants=` removes all variants, `seeds=[3, 4]`
/// sets the seeds (replacing the file's `seeds`, or its `seed`). A file must
/// not set both `seed` and `seeds`, nor a command line `seed=` for a file with
/// `seeds`.
///
/// A `sweep:` section (`SweepSpace`: a grid and/or random samples of
/// overrides) multiplies the runs: every (variant × point × seed), the point's
/// overrides applied after the variant's; its runs are named `{name}-p{index}`.
public struct ExperimentSweep: Sendable {
    /// One resolved run of the sweep.
    public struct Run: Sendable, Equatable {
        /// The variant's name (nil when the file has no variants).
        public var variant: String?
        /// The index of its `sweep:` point (nil without a `sweep:` section).
        public var point: Int?
        /// The resolved config (its `seed` from `seeds` when the file lists seeds).
        public var config: ExperimentConfig

        /// A stable, filesystem-safe name of the run within its sweep, from its variant, point and seed:
        /// `gru_p3_s0`, `p0_s1`, `s0`.
        public var id: String {
            [variant, point.map { "p\($0)" }, "s\(config.seed)"].compactMap { $0 }.joined(separator: "_")
        }
    }

    /// The file the sweep was read from.
    public var file: String
    /// The command-line overrides it was read with (recorded in each run's `run.json`).
    public var overrides: [String]
    /// The base config's `name` (before the variant suffix).
    public var name: String
    /// Variant names in file order (empty without `variants`).
    public var variants: [String]
    /// The seeds of `seeds` (empty without it: each run uses its config's `seed`).
    public var seeds: [Int]
    /// The points of the `sweep:` section (empty without it): see `SweepSpace`.
    public var points: [SweepSpace.Point] = []
    /// `sweep.workers`, when the file gives it.
    public var workers: Int?
    /// Every run, variant-major, then point, then seed.
    public var runs: [Run]

    /// Whether the file defines more than its base config (variants, seeds or sweep points).
    public var isSweep: Bool { !variants.isEmpty || !seeds.isEmpty || !points.isEmpty }

    /// Reads the sweep at `file` with command-line `overrides`.
    public static func load(file: String, overrides: [String] = []) throws -> ExperimentSweep {
        try decode(yaml: ConfigLoader.text(ofFile: file), file: file, overrides: overrides)
    }

    /// Reads the sweep from `yaml` (named `file` in errors) with command-line `overrides`.
    public static func decode(yaml: String, file: String = "<config>", overrides: [String] = []) throws -> ExperimentSweep {
        var root = try ConfigLoader.parse(yaml: yaml, file: file)
        let parsed = try overrides.map(ConfigOverride.init)
        let sweepKeys: Set<String> = ["variants", "seeds", "sweep"]
        let configOverrides = parsed.filter { !sweepKeys.contains($0.keyPath[0]) }
        let sweepOverrides = parsed.filter { sweepKeys.contains($0.keyPath[0]) }

        // MARK: command-line edits of the sweep itself
        for override in sweepOverrides {
            if override.keyPath[0] == "variants", override.keyPath.count > 2 {
                let names = variantPairs(in: root).compactMap { $0.key.string }
                let name = override.keyPath[1]
                guard names.contains(name) else {
                    throw ConfigError(.unknownKey(suggestion: KeySuggestion.closest(to: name, in: names), valid: names),
                                      keyPath: ["variants", name], override: override.text)
                }
            }
            root = try override.applied(to: root)
        }

        // MARK: split the document: base, variants, seeds
        let seedsNode = value(of: "seeds", in: root)
        let variantsNode = value(of: "variants", in: root)
        let spaceNode = value(of: "sweep", in: root)
        let base = removing(sweepKeys, from: root)
        // Values set on the command line have no mark: name the override instead of the file.
        func commandLineSource(of path: [String]) -> ConfigOverride? {
            sweepOverrides.last { path.starts(with: $0.keyPath) || $0.keyPath.starts(with: path) }
        }
        func locating<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch var error as ConfigError {
                if error.line == nil, let source = commandLineSource(of: error.keyPath) { error.override = source.text }
                throw error
            }
        }
        let seeds = try locating { try seedsNode.map { try readSeeds($0, file: file) } ?? [] }
        var variants = try locating { try variantsNode.map { try readVariants($0, file: file) } ?? [] }
        let space = try locating { try spaceNode.map { try SweepSpace.read($0, file: file) } ?? SweepSpace() }
        for v in variants.indices {
            for o in variants[v].overrides.indices
            where variants[v].overrides[o].keyMark == nil || variants[v].overrides[o].value.mark == nil {
                if let source = commandLineSource(of: ["variants", variants[v].name] + variants[v].overrides[o].keyPath) {
                    variants[v].overrides[o].text = source.text
                    variants[v].overrides[o].sourceKey = nil
                }
            }
        }
        if !seeds.isEmpty, seedsNode?.mark != nil, let seedKey = key(named: "seed", in: base), seedKey.mark != nil {
            throw error(.inapplicable(reason: "the file lists seeds (seeds: \(seeds)); give either seed or seeds, not both"),
                        ["seed"], at: seedKey, file: file)
        }
        if !seeds.isEmpty, let seedOverride = configOverrides.last(where: { $0.keyPath == ["seed"] }) {
            throw ConfigError(.inapplicable(reason: "the file lists seeds (seeds: \(seeds)); override seeds=[...] instead of seed"),
                              keyPath: ["seed"], override: seedOverride.text)
        }

        // MARK: resolve every (variant × point × seed)
        var runs: [Run] = []
        var name: String?
        let points = space.points.indices.map(Optional.some)
        for variant in variants.isEmpty ? [nil] : variants.map(Optional.some) {
            for point in points.isEmpty ? [nil] : points {
            for seed in seeds.isEmpty ? [nil] : seeds.map(Optional.some) {
                var overrides = variant?.overrides ?? []
                let pointOverrides = point.map { space.points[$0].overrides } ?? []
                overrides += pointOverrides
                if let seed { overrides.append(try ConfigOverride("seed=\(seed)")) }
                overrides += configOverrides
                var config: ExperimentConfig
                do {
                    config = try ConfigLoader.decode(ExperimentConfig.self, root: base, file: file, overrides: overrides)
                } catch var error as ConfigError {
                    error.variant = variant?.name
                    throw error
                }
                if !(variant?.overrides ?? []).contains(where: { $0.keyPath == ["name"] }) {
                    name = name ?? config.name
                    if let variant { config.name += "-" + variant.name }
                }
                if let point, !pointOverrides.contains(where: { $0.keyPath == ["name"] }) { config.name += "-p\(point)" }
                runs.append(Run(variant: variant?.name, point: point, config: config))
            }
            }
        }
        return ExperimentSweep(file: file, overrides: overrides, name: name ?? runs[0].config.name, variants: variants.map(\.name), seeds: seeds,
                               points: space.points, workers: space.workers, runs: runs)
    }

    /// The runs of `seed` (every variant, in order): what `eval-model` compares on one data set.
    public func runs(seed: Int) -> [Run] { runs.filter { $0.config.seed == seed } }

    /// The distinct seeds of the runs, in order.
    public var runSeeds: [Int] {
        var seen: [Int] = []
        for run in runs where !seen.contains(run.config.seed) { seen.append(run.config.seed) }
        return seen
    }

    // MARK: - Reading the sweep keys

    /// A variant: its name and its entries as overrides (keeping their file positions).
    struct Variant {
        var name: String
        var overrides: [ConfigOverride]
    }

    static func value(of key: String, in root: Node) -> Node? {
        guard case .mapping(let mapping) = root, let node = mapping.first(where: { $0.key.string == key })?.value,
              !(node.scalar.map { ConfigScalar($0) == .null } ?? false) else { return nil }
        return node
    }

    /// The key node `key` of the root mapping, if present with a non-null value.
    static func key(named key: String, in root: Node) -> Node? {
        guard case .mapping(let mapping) = root, let pair = mapping.first(where: { $0.key.string == key }),
              !(pair.value.scalar.map { ConfigScalar($0) == .null } ?? false) else { return nil }
        return pair.key
    }

    static func removing(_ keys: Set<String>, from root: Node) -> Node {
        guard case .mapping(let mapping) = root else { return root }
        var result = Node.Mapping(mapping.filter { !keys.contains($0.key.string ?? "") }.map { ($0.key, $0.value) },
                                  mapping.tag, mapping.style)
        result.mark = mapping.mark
        return .mapping(result)
    }

    static func variantPairs(in root: Node) -> [(key: Node, value: Node)] {
        guard let node = value(of: "variants", in: root), case .mapping(let mapping) = node else { return [] }
        return mapping.map { ($0.key, $0.value) }
    }

    static func error(_ kind: ConfigError.Kind, _ keyPath: [String], at node: Node, file: String) -> ConfigError {
        ConfigError(kind, keyPath: keyPath, file: file, line: node.mark?.line, column: node.mark?.column)
    }

    /// `seeds: [0, 1, 2]`: a non-empty list of distinct integers >= 0.
    static func readSeeds(_ node: Node, file: String) throws -> [Int] {
        guard case .sequence(let sequence) = node else {
            throw error(.typeMismatch(expected: "a list of seeds such as [0, 1, 2]", found: node.foundDescription), ["seeds"], at: node, file: file)
        }
        guard !sequence.isEmpty else {
            throw error(.outOfRange(expected: "at least one seed", found: "an empty list"), ["seeds"], at: node, file: file)
        }
        var seeds: [Int] = []
        for (index, element) in sequence.enumerated() {
            guard let scalar = element.scalar, case .int(let seed) = ConfigScalar(scalar) else {
                throw error(.typeMismatch(expected: "an integer", found: element.foundDescription), ["seeds", String(index)], at: element, file: file)
            }
            guard seed >= 0 else {
                throw error(.outOfRange(expected: "an integer of at least 0", found: String(seed)), ["seeds", String(index)], at: element, file: file)
            }
            guard !seeds.contains(seed) else {
                throw error(.outOfRange(expected: "distinct seeds", found: "\(seed) twice"), ["seeds", String(index)], at: element, file: file)
            }
            seeds.append(seed)
        }
        return seeds
    }

    /// `variants: {name: {key.path: value, ...}, ...}`.
    static func readVariants(_ node: Node, file: String) throws -> [Variant] {
        guard case .mapping(let mapping) = node else {
            throw error(.typeMismatch(expected: "a mapping of variant names to overrides, e.g. {gru: {model.backbone: gru}}",
                                      found: node.foundDescription), ["variants"], at: node, file: file)
        }
        guard !mapping.isEmpty else {
            throw error(.outOfRange(expected: "at least one variant (name: {key.path: value, ...})", found: "an empty mapping"),
                        ["variants"], at: node, file: file)
        }
        var variants: [Variant] = []
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? ""
            let valid = !name.isEmpty && name.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-".unicodeScalars.contains($0)
            }
            guard valid else {
                throw error(.outOfRange(expected: "a variant name of letters, digits, '.', '_' or '-' (it names run directories)",
                                        found: "'\(name)'"), ["variants", name], at: keyNode, file: file)
            }
            var overrides: [ConfigOverride] = []
            if !(value.scalar.map { ConfigScalar($0) == .null } ?? false) {
                guard case .mapping = value else {
                    throw error(.typeMismatch(expected: "a mapping of key paths to values, e.g. {model.backbone: gru}",
                                              found: value.foundDescription), ["variants", name], at: value, file: file)
                }
                try flatten(value, prefix: [], variant: name, file: file, into: &overrides)
            }
            variants.append(Variant(name: name, overrides: overrides))
        }
        return variants
    }

    /// A variant's entries as overrides: dotted keys split into key paths, nested mappings descended into.
    static func flatten(_ node: Node, prefix: [String], variant: String, file: String, into overrides: inout [ConfigOverride]) throws {
        guard case .mapping(let mapping) = node else { return }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let segments = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !key.isEmpty, !segments.contains(where: \.isEmpty) else {
                throw error(.typeMismatch(expected: "a key path of non-empty segments separated by '.', e.g. model.gru.hidden_size",
                                          found: "'\(key)'"), ["variants", variant] + prefix + [key], at: keyNode, file: file)
            }
            let path = prefix + segments
            guard !["variants", "seeds", "sweep"].contains(path[0]) else {
                throw error(.inapplicable(reason: "a variant cannot set \(path[0]); define variants and seeds at the top level"),
                            ["variants", variant, path.joined(separator: ".")], at: keyNode, file: file)
            }
            if case .mapping(let nested) = value, !nested.isEmpty {
                try flatten(value, prefix: path, variant: variant, file: file, into: &overrides)
            } else {
                overrides.append(ConfigOverride(keyPath: path, value: value, text: "variants.\(variant).\(path.joined(separator: "."))",
                                                sourceKey: keyNode))
            }
        }
    }
}
