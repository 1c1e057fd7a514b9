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
    /// Runs one real episode from `reset(seed:)` for at most `maxSteps` steps,
    /// choosing action vectors with `act`, storing every transition in `buffer`
    /// (the executed action's vector; `terminated` and `truncated` kept
    /// distinct), and telling `observe` what happened. An episode cut by
    /// `maxSteps` is closed in the buffer with `endEpisode()`.
    func runEpisode(_ env: inout any Environment, buffer: inout ReplayBuffer, seed: UInt64, maxSteps: Int,
                    act: (_ observation: [Float], _ environment: any Environment) throws -> [Float],
                    observe: (_ action: [Float], _ observation: [Float]) -> Void,
                    start: (_ observation: [Float]) -> Void = { _ in }) throws -> EpisodeResult {
        let encoding = ActionEncoding(space: env.actionSpace)
        var observation = try env.reset(seed: seed).observation
        start(observation)
        var result = EpisodeResult()
        while result.length < maxSteps {
            let action = encoding.action(try act(observation, env))
            let step = try env.step(action)
            buffer.add(observation: observation, action: action.vector, reward: Float(step.reward),
                       nextObservation: step.observation, terminated: step.terminated, truncated: step.truncated)
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
        buffer.endEpisode()
        return result
    }
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
