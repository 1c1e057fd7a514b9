import Environments
import Foundation
import Replay

/// A run's replay buffer as a dataset (D4RL's `medium-replay`: every policy
/// the run went through, oldest transition first): `mbrl dataset collect
/// --from-replay RUN_DIR`. Reads `checkpoints/replay.npz`, the buffer of the
/// run's last checkpoint; a buffer that wrapped around starts mid-episode.
public enum RunReplayDataset {
    /// The dataset of `directory`'s replay buffer, with metadata from its config.
    public static func dataset(runDirectory directory: String, level: DatasetMetadata.Level = .mediumReplay,
                               registry: EnvironmentRegistry = .builtin) throws -> OfflineDataset {
        let run = try RunPolicySource(directory: directory, registry: registry)
        let url = run.directory.appendingPathComponent("checkpoints/replay.npz")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ExperimentError.io(path: url.path, reason:
                "no replay buffer: the run reached no checkpoint or ran with output.checkpoint: false")
        }
        var dataset = try ReplayBuffer.load(from: url).dataset()
        try dataset.checkFinite(file: url.path)
        let config = run.config
        dataset.metadata = DatasetMetadata(
            envID: config.env.id, envSettings: run.settingsText, maxEpisodeSteps: config.env.maxEpisodeSteps,
            policy: "replay buffer of \(config.algorithm.rawValue) run \(directory) (every policy of its training)",
            level: level, seed: UInt64(truncatingIfNeeded: config.seed), steps: dataset.count, episodes: dataset.episodeReturns,
            sources: [url.path])
        return dataset
    }
}
