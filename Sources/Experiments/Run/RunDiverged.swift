import Environments

/// A run stopped because a quantity it trains on or logs became NaN or
/// infinite: a loss, a Q-value, the entropy coefficient, an episode return
/// (`RunSession.record` checks every metric it logs), or an observation or
/// reward from the environment (`StepResult.requireFinite`). A diverged
/// learner cannot recover, and a checkpoint of it would poison `--resume`, so
/// the run stops at once: no checkpoint is written after the divergence
/// (the last good one is kept and `--resume` continues from it), no
/// `summary.json` (reports treat the run as unfinished), and `mbrl run`
/// exits non-zero with this description.
public struct RunDiverged: Error, CustomStringConvertible {
    /// What became non-finite: a metric key (`train/qf_loss`), `observation[2]` or `reward`.
    public var quantity: String
    /// The non-finite value.
    public var value: Double
    /// Environment steps when it happened.
    public var step: Int
    /// The last finite value of the same metric and its step, if one was logged.
    public var lastFinite: (step: Int, value: Double)?
    /// The run directory (filled in by the session).
    public var runDirectory: String?
    /// Environment steps of the last checkpoint, if one was written.
    public var checkpointSteps: Int?

    public init(quantity: String, value: Double, step: Int, lastFinite: (step: Int, value: Double)? = nil) {
        self.quantity = quantity
        self.value = value
        self.step = step
        self.lastFinite = lastFinite
    }

    public var description: String {
        var line = "run diverged at step \(step): \(quantity) is \(value)"
        if let lastFinite {
            line += " (last finite value \(lastFinite.value) at step \(lastFinite.step))"
        } else if quantity.hasPrefix("observation") || quantity == "reward" {
            line += " (returned by the environment)"
        } else {
            line += " (no finite value logged before)"
        }
        var lines = [line]
        if let runDirectory {
            if let checkpointSteps {
                lines.append("the last good checkpoint (step \(checkpointSteps)) is kept: mbrl run --resume \(runDirectory) continues from it")
            } else {
                lines.append("run directory: \(runDirectory) (no checkpoint was written before the divergence)")
            }
        }
        lines.append("lower the learning rates, clip gradients, or check the environment's observations and rewards")
        return lines.joined(separator: "\n")
    }
}

extension StepResult {
    /// Throws `RunDiverged` when the observation or the reward holds a NaN or an infinity.
    func requireFinite(step: Int) throws {
        if let index = observation.firstIndex(where: { !$0.isFinite }) {
            throw RunDiverged(quantity: "observation[\(index)]", value: Double(observation[index]), step: step)
        }
        guard reward.isFinite else { throw RunDiverged(quantity: "reward", value: reward, step: step) }
    }
}
