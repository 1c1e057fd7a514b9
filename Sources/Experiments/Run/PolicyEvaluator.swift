import Environments
import SeededRandom

/// Runs evaluation episodes of a policy on an environment instance of its own
/// (`eval:`, `PolicyEvaluationConfig`): the `k`-th episode of every
/// evaluation resets with the same seed (`seed(ofEpisode:)`, derived from the
/// run's seed and never used by training episodes), so evaluations differ
/// only by the policy. Nothing is stored in any buffer.
struct PolicyEvaluator {
    var environment: any Environment
    let episodes: Int
    /// Steps per episode at most (PETS's `trial_length`; otherwise the environment's own limit).
    let maxSteps: Int
    let runSeed: Int

    /// The reset seed of evaluation episode `k`.
    func seed(ofEpisode k: Int) -> UInt64 {
        var generator = SeededGenerator(seed: UInt64(runSeed) &* 0x9E37_79B9 &+ 0xE7A1_0000 &+ UInt64(k))
        return generator.next()
    }

    /// Runs `episodes` episodes of the policy `act` (with the episode hooks of a
    /// stateful agent: `start` sees the first observation, `observe` each
    /// executed action and the observation that followed) and returns their returns.
    mutating func evaluate(act: (_ observation: [Float], _ environment: any Environment) throws -> [Float],
                           observe: (_ action: [Float], _ observation: [Float]) -> Void = { _, _ in },
                           start: (_ observation: [Float]) -> Void = { _ in }) throws -> [Double] {
        var returns: [Double] = []
        for k in 0..<episodes {
            let result = try playEpisode(&environment, seed: seed(ofEpisode: k), maxSteps: maxSteps,
                                         act: act, observe: observe, start: start)
            returns.append(result.episodeReturn)
        }
        return returns
    }
}
