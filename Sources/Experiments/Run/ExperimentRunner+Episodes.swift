import Environments
import Foundation
import Replay
import WorldModels

/// One real episode's outcome.
struct EpisodeResult {
    var episodeReturn = 0.0
    var length = 0
    var terminated = false
    var truncated = false
}

extension ExperimentRunner {
    /// Runs one real episode, storing every transition in `buffer` (the
    /// executed action's vector; `terminated` and `truncated` kept distinct);
    /// an episode cut by `maxSteps` is closed in the buffer with `endEpisode()`.
    /// See `playEpisode` for the rest.
    func runEpisode(_ env: inout any Environment, buffer: inout ReplayBuffer, seed: UInt64, maxSteps: Int, firstStep: Int = 0,
                    act: (_ observation: [Float], _ environment: any Environment) throws -> [Float],
                    observe: (_ action: [Float], _ observation: [Float]) -> Void,
                    start: (_ observation: [Float]) -> Void = { _ in }) throws -> EpisodeResult {
        let result = try playEpisode(&env, seed: seed, maxSteps: maxSteps, firstStep: firstStep, act: act, observe: observe, start: start) {
            observation, action, step in
            buffer.add(observation: observation, action: action, reward: Float(step.reward),
                       nextObservation: step.observation, terminated: step.terminated, truncated: step.truncated)
        }
        if !result.terminated && !result.truncated { buffer.endEpisode() }
        return result
    }
}

/// Runs one episode from `reset(seed:)` for at most `maxSteps` steps, choosing
/// action vectors with `act` (clipped into the action space by
/// `ActionEncoding`), handing each transition to `record` and telling
/// `observe` what happened; `start` sees the first observation. A NaN or
/// infinite observation or reward throws `RunDiverged` (at `firstStep` plus
/// the episode's step).
func playEpisode(_ env: inout any Environment, seed: UInt64, maxSteps: Int, firstStep: Int = 0,
                 act: (_ observation: [Float], _ environment: any Environment) throws -> [Float],
                 observe: (_ action: [Float], _ observation: [Float]) -> Void = { _, _ in },
                 start: (_ observation: [Float]) -> Void = { _ in },
                 record: (_ observation: [Float], _ action: [Float], _ step: StepResult) -> Void = { _, _, _ in }) throws -> EpisodeResult {
    let encoding = ActionEncoding(space: env.actionSpace)
    var observation = try env.reset(seed: seed).observation
    start(observation)
    var result = EpisodeResult()
    while result.length < maxSteps {
        let action = encoding.action(try act(observation, env))
        let step = try env.step(action)
        try step.requireFinite(step: firstStep + result.length)
        record(observation, action.vector, step)
        observe(action.vector, step.observation)
        observation = step.observation
        result.episodeReturn += step.reward
        result.length += 1
        if step.done {
            result.terminated = step.terminated
            result.truncated = step.truncated
            return result
        }
    }
    return result
}

/// `episodes.csv`: one row per real episode.
struct EpisodeTable {
    private var rows: [String] = []

    init() {}

    /// Reads the rows of an `episodes.csv` written by `csv()`.
    init(csv: String, limit: Int) {
        rows = Array(csv.split(separator: "\n").dropFirst().prefix(limit).map(String.init))
    }

    var count: Int { rows.count }

    mutating func append(index: Int, kind: String, result: EpisodeResult, totalSteps: Int, msPerAction: Double? = nil) {
        rows.append([String(index), kind, String(result.episodeReturn), String(result.length), String(result.terminated),
                     String(result.truncated), String(totalSteps), msPerAction.map { String(format: "%.3f", $0) } ?? ""]
            .joined(separator: ","))
    }

    func csv() -> String {
        (["episode,kind,return,length,terminated,truncated,total_steps,ms_per_action"] + rows).joined(separator: "\n") + "\n"
    }
}
