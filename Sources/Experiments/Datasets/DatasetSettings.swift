import Environments

/// Environment settings given as `k=v` text (`mbrl dataset collect --settings
/// masscart=2.0 length=0.5`): the typed values the registry checks, and the
/// text kept in a dataset's metadata.
public enum DatasetSettings {
    /// Parses `k=v` pairs: integers, then numbers, then `true`/`false`, else text.
    /// - Throws: `ExperimentError.failed` naming a pair without `=` or a key given twice.
    public static func parse(_ pairs: [String]) throws -> (values: [String: SettingValue], text: [String: String]) {
        var values: [String: SettingValue] = [:], text: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ExperimentError.failed("--settings '\(pair)': expected key=value (e.g. max_episode_steps=200)")
            }
            let key = String(pair[..<equals]), raw = String(pair[pair.index(after: equals)...])
            guard values[key] == nil else { throw ExperimentError.failed("--settings: '\(key)' is given twice") }
            values[key] = value(raw)
            text[key] = raw
        }
        return (values, text)
    }

    /// The typed value of `raw` (`200` → int, `0.5` → double, `true` → bool, else string).
    static func value(_ raw: String) -> SettingValue {
        if let i = Int(raw) { return .int(i) }
        if let d = Double(raw) { return .double(d) }
        if raw == "true" || raw == "false" { return .bool(raw == "true") }
        return .string(raw)
    }

    /// The `k=v` text of a value (`value(text(v)) == v` for ints, bools and strings).
    static func text(_ value: SettingValue) -> String {
        switch value {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return String(v)
        case .string(let v): return v
        }
    }
}
