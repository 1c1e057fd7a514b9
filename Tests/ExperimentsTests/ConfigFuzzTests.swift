import Experiments
import Foundation
import SeededRandom
import TestSupport
import XCTest

/// Fuzzing the config decoder with a fixed budget: every `Configs/*.yaml`
/// mutated by a seeded generator (unknown keys, wrong types, NaN/±inf,
/// negative and huge sizes, deleted values and lines, byte flips and
/// truncations, bad overrides), decoded by `ExperimentSweep.decode` and, when
/// accepted, rendered as `--dry-run` prints it. Every
/// failure must be a `ConfigError` naming the file and a key or a
/// `line:column`; nothing else may be thrown and nothing may trap.
final class ConfigFuzzTests: XCTestCase {
    /// Mutants per config file (15 files: 1,500 cases), and the seed.
    private let budget = FuzzBudget(cases: 100, seed: 0xC0FF1C)

    private var configDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Configs")
    }

    func testMutatedConfigsAreDecodedOrRejectedWithAConfigError() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: configDirectory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(files.isEmpty)
        var tally = FuzzTally("configs")
        var generator = SeededGenerator(seed: budget.seed)
        let mutator = ConfigTextMutator()
        for name in files {
            let path = configDirectory.appendingPathComponent(name).path
            let original = try String(contentsOfFile: path, encoding: .utf8)
            for index in 0..<budget.cases {
                let (text, overrides) = mutator.mutate(original, using: &generator)
                let label = "Configs/\(name)"
                do {
                    let sweep = try ExperimentSweep.decode(yaml: text, file: label, overrides: overrides)
                    // What `--dry-run` prints: an accepted config must render (NaN and ±inf included).
                    for run in sweep.runs { _ = try ConfigRenderer.render(run.config) }
                    tally.accept()
                } catch let error as ConfigError {
                    tally.reject(error)
                    // A file error names the file and a key or a line:column; an override error quotes the override (its key).
                    let named = error.override.map { error.description.hasPrefix("override '\($0)'") }
                        ?? (error.description.hasPrefix(label) && (!error.keyPath.isEmpty || error.line != nil))
                    if !named {
                        XCTFail("case \(name)#\(index): the error does not name the file and a key or position: \(error)\n--- input:\n\(text)\noverrides: \(overrides)")
                    }
                } catch {
                    tally.reject(error)
                    XCTFail("case \(name)#\(index): threw \(type(of: error)) instead of a ConfigError: \(error)\n--- input:\n\(text)")
                }
            }
        }
        print(tally)
        XCTAssertGreaterThanOrEqual(tally.cases, 1000)
    }
}

/// Seeded text-level mutations of a YAML config: structural edits that keep
/// the YAML readable (so the decoder, not only the parser, is exercised) and
/// raw byte mutations (`ByteMutator`).
struct ConfigTextMutator {
    /// Replacement values: wrong types, non-finite numbers, negative and huge sizes, nulls.
    static let values = ["[1, 2]", "{a: 1}", "\"text\"", "true", "null", "~", ".nan", ".inf", "-.inf", "-1", "0",
                         "-999999999", "99999999999999999999999", "1e308", "-1e308", "1.5", "''", "1e-400",
                         "9223372036854775807", "-9223372036854775808", "4611686018427387904", "2147483648",
                         "1e19", "3.4e39", "[]", "{}", "[.nan]", "[-5, 0]", "[9223372036854775807, 2]", "yes",
                         "0x10", "&a 1", "*a", "!!binary aGk=", "[1, [2, [3]]]", "\"\"", "1_000_000_000_000_000"]
    static let keys = ["bogus", "seed", "name", "population", "hidden_size", "train_steps", "variants", "seeds",
                       "horizon", "batch_size", "ensemble_size", "gru", "every", "id", "settings", "1", "\"\"", "-"]

    /// A mutated copy of `text`, and command-line overrides to apply with it.
    func mutate(_ text: String, using generator: inout SeededGenerator) -> (String, [String]) {
        func pick<T>(_ list: [T]) -> T { list[Int(generator.next() % UInt64(list.count))] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var overrides: [String] = []
        let edits = 1 + Int(generator.next() % 3)
        for _ in 0..<edits {
            let valued = lines.indices.filter { lines[$0].contains(": ") && !lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            switch generator.next() % 8 {
            case 0, 1, 2:   // a value replaced (wrong type, NaN, huge, negative, ...)
                guard let i = valued.isEmpty ? nil : pick(valued), let colon = lines[i].range(of: ": ") else { continue }
                lines[i] = String(lines[i][..<colon.upperBound]) + pick(Self.values)
            case 3:         // a value deleted (null)
                guard let i = valued.isEmpty ? nil : pick(valued), let colon = lines[i].range(of: ": ") else { continue }
                lines[i] = String(lines[i][..<colon.lowerBound]) + ":"
            case 4:         // an unknown (or duplicated) key at a line's indentation
                let i = Int(generator.next() % UInt64(lines.count + 1))
                let indent = i < lines.count ? String(lines[i].prefix { $0 == " " }) : ""
                lines.insert("\(indent)\(pick(Self.keys)): \(pick(Self.values))", at: i)
            case 5:         // a line deleted
                guard !lines.isEmpty else { continue }
                lines.remove(at: Int(generator.next() % UInt64(lines.count)))
            case 6:         // a command-line override, possibly malformed
                let key = pick(["seed", "model.hidden_size", "planner.population", "variants", "seeds", "sac.batch_size",
                                "env.settings.gravity", "model.gru.hidden_size", "", "a..b", "variants.x.seed", "=", "seeds"])
                overrides.append(generator.next() % 5 == 0 ? key : "\(key)=\(pick(Self.values))")
            default:        // raw bytes: flips, truncation, insertions
                var bytes = Array(lines.joined(separator: "\n").utf8)
                bytes = ByteMutator().mutate(bytes, using: &generator, maxMutations: 3)
                lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
        }
        return (lines.joined(separator: "\n"), overrides)
    }
}
