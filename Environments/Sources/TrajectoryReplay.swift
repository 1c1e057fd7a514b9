/// Replays `GoldenTrajectories` through an environment made by id and measures
/// how far it deviates: per episode, `reset(seed:)`, then `setSimulatorState`
/// to `initial_state`, then every recorded action in turn.
///
/// Deviations are *scaled* errors `|ours − ref| / max(|ref|, floor)` with
/// `floor = 1e-3` (relative error, with an absolute floor of `1e-3 · tolerance`
/// near zero), maximised per field: `observation` (including the initial one),
/// `state`, `reward`. Flags must match exactly; `flagMismatches` counts those that
/// don't. The default tolerance `1e-5` is what the golden tests and
/// `mbrl env replay` demand.
public struct TrajectoryReplay: Sendable {
    public static let defaultTolerance = 1e-5
    public static let floor = 1e-3

    /// Result of a replay.
    public struct Report: Sendable, CustomStringConvertible {
        public var envID: String
        public var episodes = 0
        public var steps = 0
        public var maxDeviation: [String: Double] = ["observation": 0, "state": 0, "reward": 0]
        public var flagMismatches = 0
        /// Spaces and `max_episode_steps` that differ from the recorded ones (empty if all agree).
        public var specMismatches: [String] = []
        /// The first mismatching flag or step, for the error message.
        public var firstProblem: String?

        public func passed(tolerance: Double = TrajectoryReplay.defaultTolerance) -> Bool {
            flagMismatches == 0 && specMismatches.isEmpty && maxDeviation.values.allSatisfy { $0 <= tolerance }
        }

        public var description: String {
            var lines = ["\(envID): \(episodes) episodes, \(steps) steps"]
            for key in maxDeviation.keys.sorted() {
                lines.append("  max scaled deviation \(key): \(maxDeviation[key]!)")
            }
            lines.append("  flag mismatches: \(flagMismatches)")
            for m in specMismatches { lines.append("  spec mismatch: \(m)") }
            if let firstProblem { lines.append("  first problem: \(firstProblem)") }
            return lines.joined(separator: "\n")
        }
    }

    /// Scaled deviation of `value` from `reference`.
    public static func deviation(_ value: Double, _ reference: Double) -> Double {
        if value == reference { return 0 }
        guard value.isFinite, reference.isFinite else { return .infinity }
        return abs(value - reference) / max(abs(reference), floor)
    }

    static func maxDeviation(_ values: [Float], _ reference: [Double]) -> Double {
        guard values.count == reference.count else { return .infinity }
        var worst = 0.0
        for i in 0..<values.count { worst = max(worst, deviation(Double(values[i]), reference[i])) }
        return worst
    }

    static func maxDeviation(_ values: [Double], _ reference: [Double]) -> Double {
        guard values.count == reference.count else { return .infinity }
        var worst = 0.0
        for i in 0..<values.count { worst = max(worst, deviation(values[i], reference[i])) }
        return worst
    }

    /// Replays every episode of `golden` through `registry.make(golden.envID)`.
    /// Unknown ids and environments without a settable state are errors.
    public static func replay(_ golden: GoldenTrajectories,
                              registry: EnvironmentRegistry = .builtin) throws -> Report {
        var report = Report(envID: golden.envID)
        var env = try registry.make(golden.envID)
        if try golden.observationSpace.space() != env.observationSpace {
            report.specMismatches.append("observation space \(env.observationSpace), recorded \(try golden.observationSpace.space())")
        }
        if try golden.actionSpace.space() != env.actionSpace {
            report.specMismatches.append("action space \(env.actionSpace), recorded \(try golden.actionSpace.space())")
        }
        if let steps = golden.maxEpisodeSteps {
            let spec = try registry.spec(golden.envID)
            if let setting = spec.settings.first(where: { $0.key == "max_episode_steps" }), setting.defaultValue != .int(steps) {
                report.specMismatches.append("max_episode_steps \(setting.defaultValue), recorded \(steps)")
            }
        }
        for (e, episode) in golden.episodes.enumerated() {
            report.episodes += 1
            _ = try env.reset(seed: UInt64(max(0, episode.seed)))
            let first = try env.setSimulatorStateIfSupported(episode.initialState)
            note(&report, "observation", maxDeviation(first, episode.initialObservation))
            for t in 0..<episode.actions.count {
                let result = try env.step(episode.actions[t].action)
                report.steps += 1
                note(&report, "observation", maxDeviation(result.observation, episode.observations[t]))
                note(&report, "reward", deviation(result.reward, episode.rewards[t]))
                if let states = episode.states, let ours = (env as? any SimulatorStateSettable)?.simulatorState {
                    note(&report, "state", maxDeviation(ours, states[t]))
                }
                if result.terminated != episode.terminated[t] || result.truncated != episode.truncated[t] {
                    report.flagMismatches += 1
                    if report.firstProblem == nil {
                        report.firstProblem = "episode \(e) step \(t): terminated/truncated \(result.terminated)/\(result.truncated), recorded \(episode.terminated[t])/\(episode.truncated[t])"
                    }
                }
                if result.done { break }
            }
        }
        return report
    }

    static func note(_ report: inout Report, _ key: String, _ value: Double) {
        report.maxDeviation[key] = max(report.maxDeviation[key] ?? 0, value)
    }
}
