import SeededRandom

/// Checks that an environment keeps the `Environment` contract, like Gymnasium's
/// `gymnasium.utils.env_checker.check_env`, and reports every check instead of
/// stopping at the first failure.
///
/// Checks, in order (actions come from `actionSpace.sample` with a generator seeded
/// by `seed`, so every run is reproducible):
/// 1. `spaces`: sampled actions lie in the action space; the observation space is non-empty.
/// 2. `step before reset`: stepping a fresh environment throws.
/// 3. `reset observation`: the first observation has the space's size and lies in it.
/// 4. `reset determinism`: `reset(seed:)` gives the same observation on two fresh
///    copies and again on the same copy.
/// 5. `rollout`: `steps` steps (resetting at episode ends): every observation in the
///    space with the right size, every reward finite.
/// 6. `step determinism`: a second fresh copy given the same seed and actions
///    reproduces every observation, reward, flag and info exactly.
/// 7. `step after episode end`: after `terminated || truncated`, `step` throws
///    (skipped if no episode ends within `maxEpisodeSearch` steps).
/// 8. `invalid actions`: actions of the wrong kind, wrong length, out of bounds or NaN
///    throw `EnvironmentError.actionOutOfSpace` (not a trap), and leave the episode
///    as it was (the next valid step matches a copy that never saw them).
/// 9. `snapshot/restore`: after restoring a snapshot, the same actions (with resets)
///    reproduce the same results — so the snapshot holds the step counter and the
///    generator; skipped if `snapshot()` returns nil.
///
/// (`terminated`/`truncated` are `Bool` by type, so Gymnasium's flag-type check is
/// the compiler's; the checker tests what they mean instead: check 7.)
///
/// Cost: about `3 · steps + maxEpisodeSearch` environment steps.
public struct EnvironmentChecker: Sendable {
    public var seed: UInt64
    public var steps: Int
    public var maxEpisodeSearch: Int

    public init(seed: UInt64 = 0, steps: Int = 300, maxEpisodeSearch: Int = 5000) {
        self.seed = seed
        self.steps = steps
        self.maxEpisodeSearch = maxEpisodeSearch
    }

    /// One check's outcome.
    public struct Check: Sendable, CustomStringConvertible {
        public var name: String
        public var passed: Bool
        public var message: String
        public var description: String { "\(passed ? "PASS" : "FAIL") \(name): \(message)" }
    }

    /// Every check's outcome; `passed` when none failed.
    public struct Report: Sendable, CustomStringConvertible {
        public var subject: String
        public var checks: [Check] = []
        public var passed: Bool { checks.allSatisfy(\.passed) }
        public var failures: [Check] { checks.filter { !$0.passed } }
        public var description: String {
            (["\(subject): \(passed ? "all \(checks.count) checks passed" : "\(failures.count) of \(checks.count) checks failed")"]
                + checks.map { "  " + $0.description }).joined(separator: "\n")
        }
    }

    /// Checks the registered environment `id` (made with default settings).
    public func check(id: String, registry: EnvironmentRegistry = .builtin) -> Report {
        check(name: id) { try registry.make(id) }
    }

    /// Checks environments made by `make` (called several times for fresh copies).
    public func check(name: String, make: () throws -> any Environment) -> Report {
        var report = Report(subject: name)
        func record(_ check: String, _ body: () throws -> String) {
            do {
                report.checks.append(Check(name: check, passed: true, message: try body()))
            } catch let failure as CheckFailure {
                report.checks.append(Check(name: check, passed: false, message: failure.message))
            } catch {
                report.checks.append(Check(name: check, passed: false, message: "unexpected error: \(error)"))
            }
        }
        let probe: any Environment
        do { probe = try make() } catch {
            report.checks.append(Check(name: "make", passed: false, message: "could not create the environment: \(error)"))
            return report
        }
        let actions = sampleActions(probe.actionSpace, count: max(steps, 1))

        record("spaces") {
            guard probe.observationSpace.flatSize > 0 else { throw CheckFailure("observation space \(probe.observationSpace) is empty") }
            for a in actions.prefix(50) where !probe.actionSpace.contains(a) {
                throw CheckFailure("sampled action \(a) is not in the action space \(probe.actionSpace)")
            }
            return "observation \(probe.observationSpace), action \(probe.actionSpace)"
        }
        record("step before reset") {
            var env = try make()
            do { _ = try env.step(actions[0]) } catch { return "throws: \(error)" }
            throw CheckFailure("step() before reset() returned a result instead of throwing")
        }
        record("reset observation") {
            var env = try make()
            let r = try env.reset(seed: seed)
            try expectInSpace(r.observation, env.observationSpace, "reset observation")
            return "size \(r.observation.count), inside \(env.observationSpace)"
        }
        record("reset determinism") {
            var a = try make(), b = try make()
            let ra = try a.reset(seed: seed), rb = try b.reset(seed: seed)
            guard ra.observation == rb.observation else {
                throw CheckFailure("reset(seed: \(seed)) on two fresh copies: \(ra.observation) vs \(rb.observation)")
            }
            _ = try a.step(actions[0])
            let again = try a.reset(seed: seed)
            guard again.observation == ra.observation else {
                throw CheckFailure("reset(seed: \(seed)) again on the same copy: \(again.observation) vs \(ra.observation)")
            }
            return "same first observation from seed \(seed)"
        }
        var reference: [Record] = []
        record("rollout") {
            var env = try make()
            reference = try rollout(&env, actions: actions, seed: seed, checkSpaces: true)
            let episodes = reference.filter(\.done).count
            return "\(reference.count) steps, \(episodes) episode ends, observations in space, rewards finite"
        }
        record("step determinism") {
            guard !reference.isEmpty else { throw CheckFailure("not run: the rollout check failed") }
            var env = try make()
            let again = try rollout(&env, actions: actions, seed: seed, checkSpaces: false)
            if let t = firstDifference(reference, again) {
                throw CheckFailure("same seed and actions diverge at step \(t): \(describe(reference, t)) vs \(describe(again, t))")
            }
            return "\(again.count) steps reproduced exactly"
        }
        record("step after episode end") {
            var env = try make()
            _ = try env.reset(seed: seed)
            var generator = SeededGenerator(seed: seed &+ 1)
            for t in 0..<maxEpisodeSearch {
                let r = try env.step(env.actionSpace.sample(using: &generator))
                if r.done {
                    do { _ = try env.step(env.actionSpace.sample(using: &generator)) } catch {
                        return "episode ended at step \(t + 1); the next step throws: \(error)"
                    }
                    throw CheckFailure("step() after the episode ended (step \(t + 1)) returned a result instead of throwing")
                }
            }
            return "skipped: no episode ended within \(maxEpisodeSearch) random steps"
        }
        record("invalid actions") {
            var env = try make(), clean = try make()
            _ = try env.reset(seed: seed)
            _ = try clean.reset(seed: seed)
            var rejected = 0
            for bad in invalidActions(env.actionSpace) {
                do {
                    _ = try env.step(bad)
                    throw CheckFailure("action \(bad) outside \(env.actionSpace) was accepted")
                } catch let error as EnvironmentError {
                    guard case .actionOutOfSpace = error else {
                        throw CheckFailure("action \(bad) threw \(error), expected actionOutOfSpace")
                    }
                    rejected += 1
                }
            }
            let r1 = try env.step(actions[0]), r2 = try clean.step(actions[0])
            guard Record(r1) == Record(r2) else {
                throw CheckFailure("rejected actions changed the episode: next step \(Record(r1)) vs \(Record(r2))")
            }
            return "\(rejected) invalid actions rejected with actionOutOfSpace; episode unchanged"
        }
        record("snapshot/restore") {
            var env = try make()
            _ = try env.reset(seed: seed)
            let warmup = min(5, actions.count)
            for a in actions.prefix(warmup) {
                if try env.step(a).done { break }
            }
            guard let snapshot = env.snapshot() else { return "skipped: snapshot() returns nil" }
            // Continue from a possibly finished episode by resetting first when needed.
            let tail = Array(actions.dropFirst(warmup))
            let first = try continueRollout(&env, actions: tail)
            try env.restore(snapshot)
            let second = try continueRollout(&env, actions: tail)
            if let t = firstDifference(first, second) {
                throw CheckFailure("after restore the rollout diverges at step \(t): \(describe(first, t)) vs \(describe(second, t))")
            }
            return "\(second.count) steps after restore reproduced exactly (including resets)"
        }
        return report
    }

    // MARK: - Helpers

    struct CheckFailure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// A step's outcome, compared exactly.
    struct Record: Equatable, CustomStringConvertible {
        var observation: [Float]
        var reward: Double
        var terminated: Bool
        var truncated: Bool
        var info: Info
        var done: Bool { terminated || truncated }
        init(_ r: StepResult) {
            observation = r.observation; reward = r.reward; terminated = r.terminated; truncated = r.truncated; info = r.info
        }
        init(reset r: ResetResult) {
            observation = r.observation; reward = 0; terminated = false; truncated = false; info = r.info
        }
        static func == (a: Record, b: Record) -> Bool {
            a.observation == b.observation && (a.reward == b.reward || (a.reward.isNaN && b.reward.isNaN))
                && a.terminated == b.terminated && a.truncated == b.truncated && a.info == b.info
        }
        var description: String { "(obs \(observation), reward \(reward), terminated \(terminated), truncated \(truncated))" }
    }

    func sampleActions(_ space: Space, count: Int) -> [Action] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in space.sample(using: &generator) }
    }

    func rollout(_ env: inout any Environment, actions: [Action], seed: UInt64, checkSpaces: Bool) throws -> [Record] {
        var records: [Record] = []
        let space = env.observationSpace
        _ = try env.reset(seed: seed)
        for (t, a) in actions.enumerated() {
            let r = try env.step(a)
            if checkSpaces {
                try expectInSpace(r.observation, space, "observation at step \(t)")
                guard r.reward.isFinite else { throw CheckFailure("reward at step \(t) is \(r.reward)") }
            }
            records.append(Record(r))
            if r.done {
                let reset = try env.reset(seed: nil)
                if checkSpaces { try expectInSpace(reset.observation, space, "reset observation after step \(t)") }
                records.append(Record(reset: reset))
            }
        }
        return records
    }

    func continueRollout(_ env: inout any Environment, actions: [Action]) throws -> [Record] {
        var records: [Record] = []
        var needsReset = false
        for a in actions {
            if needsReset {
                records.append(Record(reset: try env.reset(seed: nil)))
                needsReset = false
            }
            let r: StepResult
            do { r = try env.step(a) } catch EnvironmentError.needsReset {
                records.append(Record(reset: try env.reset(seed: nil)))
                r = try env.step(a)
            }
            records.append(Record(r))
            needsReset = r.done
        }
        return records
    }

    func firstDifference(_ a: [Record], _ b: [Record]) -> Int? {
        for t in 0..<min(a.count, b.count) where a[t] != b[t] { return t }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    func describe(_ records: [Record], _ t: Int) -> String {
        t < records.count ? records[t].description : "(no step)"
    }

    func expectInSpace(_ observation: [Float], _ space: Space, _ what: String) throws {
        switch space {
        case .box(let box):
            guard observation.count == box.size else {
                throw CheckFailure("\(what) has \(observation.count) values, the space \(box) needs \(box.size)")
            }
            guard box.contains(observation) else {
                throw CheckFailure("\(what) \(observation) is outside \(box)")
            }
        case .discrete(let d):
            guard observation.count == 1, let v = observation.first, v == v.rounded(), d.contains(Int(v)) else {
                throw CheckFailure("\(what) \(observation) is not an element of \(d)")
            }
        }
    }

    /// Actions that are outside `space`: wrong kind, wrong length, out of bounds, NaN.
    func invalidActions(_ space: Space) -> [Action] {
        switch space {
        case .discrete(let d):
            return [.discrete(d.start + d.n), .discrete(d.start - 1), .continuous([Float(d.start)])]
        case .box(let b):
            var list: [Action] = [.discrete(0), .continuous(Array(b.low.prefix(max(0, b.size - 1)))),
                                  .continuous(b.low + [0]), .continuous([Float](repeating: .nan, count: b.size))]
            if let i = b.high.firstIndex(where: \.isFinite) {
                var v = zip(b.low, b.high).map { lo, hi in lo.isFinite && hi.isFinite ? (lo + hi) / 2 : 0 }
                v[i] = b.high[i] + max(1, abs(b.high[i]))
                list.append(.continuous(v))
            }
            if let i = b.low.firstIndex(where: \.isFinite) {
                var v = zip(b.low, b.high).map { lo, hi in lo.isFinite && hi.isFinite ? (lo + hi) / 2 : 0 }
                v[i] = b.low[i] - max(1, abs(b.low[i]))
                list.append(.continuous(v))
            }
            return list
        }
    }
}
