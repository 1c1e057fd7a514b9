/// "Did you mean ...?" for misspelt config keys.
///
/// Keys are compared after lower-casing and dropping `_` and `-` (so
/// `hiddenSize` and `hidden-size` both find `hidden_size`), by Levenshtein
/// distance. A suggestion is made only when the distance is at most
/// `max(2, length / 3)`; otherwise a typo would "suggest" an unrelated key.
enum KeySuggestion {
    /// The valid key closest to `key`, or nil when none is close enough.
    static func closest(to key: String, in valid: [String]) -> String? {
        let target = normalized(key)
        let threshold = max(2, target.count / 3)
        var best: (key: String, distance: Int)?
        for candidate in valid.sorted() {
            let distance = editDistance(normalized(candidate), target)
            if distance <= threshold, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.key
    }

    static func normalized(_ key: String) -> [Character] {
        Array(key.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Levenshtein distance (insertions, deletions, substitutions cost 1); O(|a|·|b|).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1,
                                 previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
