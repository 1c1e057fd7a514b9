import Foundation

/// Runs split into groups by resolved-config values: by the keys given
/// (`--group-by`), or else by every key whose value differs between the runs,
/// ignoring what differs between repetitions of one configuration — the
/// seed, the run's name, output paths — so that seeds of one configuration
/// form one group (the unit rliable's statistics aggregate over,
/// Agarwal et al. 2021).
public struct RunGrouping: Sendable {
    /// One group: its label and its runs.
    public struct Group: Sendable {
        public var label: String
        /// The group's value of each grouping key (`(unset)` where a run lacks it).
        public var values: [String: String]
        public var runs: [RunRecord]
    }

    /// The keys the groups differ in (empty: one group of all runs).
    public let keys: [String]
    public let groups: [Group]
    /// Config keys whose values differ between the runs (ignored keys left out).
    public let differingKeys: [String]

    /// Whether a config key varies between repetitions of one configuration and so never defines a group.
    public static func isIgnored(_ key: String) -> Bool {
        key == "seed" || key == "seeds" || key == "name" || key.hasPrefix("output.") || key.hasPrefix("variants")
            || key.hasSuffix("started") || key.hasSuffix("timestamp") || key.hasPrefix("versions") || key.hasSuffix("version")
    }

    public init(runs: [RunRecord], groupBy: [String]? = nil) throws {
        let allKeys = Set(runs.flatMap(\.config.keys))
        let differing = allKeys.filter { key in
            !Self.isIgnored(key) && Set(runs.map { $0.config[key] ?? "(unset)" }).count > 1
        }.sorted()
        differingKeys = differing
        if let groupBy, !groupBy.isEmpty {
            let unknown = groupBy.filter { !allKeys.contains($0) }
            guard unknown.isEmpty else {
                throw ReportError.unknownGroupKey(keys: unknown, differing: differing, available: allKeys.sorted())
            }
            keys = groupBy
        } else {
            keys = differing
        }
        let keys = self.keys
        func values(_ run: RunRecord) -> [String: String] {
            Dictionary(uniqueKeysWithValues: keys.map { ($0, run.config[$0] ?? "(unset)") })
        }
        var order: [[String: String]] = []
        var members: [[String: String]: [RunRecord]] = [:]
        for run in runs {
            let v = values(run)
            if members[v] == nil { order.append(v) }
            members[v, default: []].append(run)
        }
        let labelKeys = Self.labelKeys(keys, distinguishing: order)
        func label(_ values: [String: String]) -> String {
            if labelKeys.isEmpty { return "all runs" }
            if labelKeys.count == 1 {
                // A bare number says nothing alone: name its key (`planning_steps=5`); a name (`mlp`) does.
                let value = values[labelKeys[0]]!
                return Double(value) == nil ? value : "\(labelKeys[0].split(separator: ".").last!)=\(value)"
            }
            // Pairs a group leaves unset are left out (labels stay distinct: their sets of pairs differ).
            let pairs = labelKeys.filter { values[$0] != "(unset)" }.map { "\($0)=\(values[$0]!)" }
            return pairs.isEmpty ? "(unset)" : pairs.joined(separator: ", ")
        }
        self.labelKeys = labelKeys
        // Variants name their runs `{experiment}-{variant}`: when groups need several keys to tell apart
        // but each has one run name of its own, the variant part of the name is the clearer label.
        let names = order.map { Set(members[$0]!.map { $0.config["name"] ?? "" }) }
        let variantLabels = labelKeys.count > 1 && names.allSatisfy { $0.count == 1 } && Set(names).count == names.count
            ? Self.distinctSuffixes(names.map { $0.first! }) : nil
        labelsFromNames = variantLabels != nil
        groups = order.enumerated().map { index, values in
            Group(label: variantLabels?[index] ?? label(values), values: values, runs: members[values]!)
        }.sorted { Self.naturalLess($0.label, $1.label) }
    }

    /// The keys the labels show: the fewest (chosen greedily) whose values still tell every group apart,
    /// preferring keys every group sets, then the usual suspects (algorithm, backbone, environment, planner).
    /// (With more than one such key and one run name per group, the labels are the names' variant parts.)
    public let labelKeys: [String]
    /// Whether the labels are the variant parts of the runs' names (see `labelKeys`).
    public let labelsFromNames: Bool

    /// A sentence saying how the runs were grouped and labelled.
    public var summary: String {
        if keys.isEmpty { return "All runs form one group: no config key differs between them apart from the seed, name and output paths." }
        let by = keys.count <= 4 ? keys.joined(separator: ", ") : "the \(keys.count) config keys that differ between the runs (see Configuration differences)"
        return "Grouped by \(by); " + (labelsFromNames ? "labels are the variant part of each group's run name."
                                                       : "labels name \(labelKeys.joined(separator: ", ")).")
    }

    static let preferredKeys = ["algorithm", "model.backbone", "env.id", "planner.kind", "model.kind"]

    static func labelKeys(_ keys: [String], distinguishing groups: [[String: String]]) -> [String] {
        guard groups.count > 1 else { return keys.count == 1 ? keys : (keys.isEmpty ? [] : Array(keys.prefix(1))) }
        var chosen: [String] = []
        func distinct(_ candidate: [String]) -> Int { Set(groups.map { g in candidate.map { g[$0] ?? "" } }).count }
        while distinct(chosen) < groups.count {
            let current = distinct(chosen)
            let remaining = keys.filter { !chosen.contains($0) && distinct(chosen + [$0]) > current }
            guard let best = remaining.max(by: { a, b in
                let score = { (k: String) -> (Int, Int, Int) in
                    (-groups.filter { $0[k] == "(unset)" }.count, distinct(chosen + [k]),
                     -(preferredKeys.firstIndex(of: k) ?? preferredKeys.count))
                }
                let (sa, sb) = (score(a), score(b))
                return sa != sb ? sa < sb : a > b
            }) else { break }
            chosen.append(best)
        }
        return keys.filter { chosen.contains($0) }
    }

    /// The names without their common prefix up to a `-` (`exp-gru`, `exp-rssm` → `gru`, `rssm`); nil when
    /// that leaves an empty or repeated label.
    static func distinctSuffixes(_ names: [String]) -> [String]? {
        guard var prefix = names.first else { return nil }
        for name in names.dropFirst() { while !name.hasPrefix(prefix) { prefix.removeLast() } }
        if let dash = prefix.lastIndex(of: "-") { prefix = String(prefix[...dash]) } else { prefix = "" }
        let labels = names.map { String($0.dropFirst(prefix.count)) }
        return labels.contains("") || Set(labels).count != labels.count ? nil : labels
    }

    /// Numbers compared as numbers (`2 < 10`), otherwise text order.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        if let x = Double(a), let y = Double(b) { return x < y }
        return a.localizedStandardCompare(b) == .orderedAscending
    }
}
