import Foundation

/// A fuzz test's fixed budget and seed. CI runs the defaults; a deeper local
/// search scales the case count and moves the seed through the environment:
/// `MBRL_FUZZ_SCALE=20 MBRL_FUZZ_SEED=7 swift test --filter Fuzz` (a failure
/// message gives the case index; the same scale and seed reproduce it).
public struct FuzzBudget {
    /// Mutated cases to run.
    public var cases: Int
    /// The generator's seed.
    public var seed: UInt64

    /// `cases` times `MBRL_FUZZ_SCALE` (default 1), `seed` plus `MBRL_FUZZ_SEED` (default 0).
    public init(cases: Int, seed: UInt64) {
        let environment = ProcessInfo.processInfo.environment
        let scale = environment["MBRL_FUZZ_SCALE"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
        let offset = environment["MBRL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0
        self.cases = cases * scale
        self.seed = seed &+ offset
    }
}
