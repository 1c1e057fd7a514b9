import Environments
import Foundation
import Replay

extension ExperimentRunner {
    /// The dataset of `offline.dataset`, read and checked against `env`'s
    /// spaces (every array's dtype and shape, finite values): a missing file is
    /// a config error at `offline.dataset`; a truncated, corrupt or mismatched
    /// file is an error naming the file and the array.
    func loadOfflineDataset(for env: any Environment) throws -> OfflineDataset {
        let path = config.offline.dataset
        guard FileManager.default.fileExists(atPath: path) else {
            throw located(ConfigError(.rejected(reason:
                "no dataset at '\(path)' (relative to the working directory \(FileManager.default.currentDirectoryPath)); "
                    + "write one with `mbrl dataset collect`"), keyPath: ["offline", "dataset"]))
        }
        let dataset = try OfflineDataset.load(from: URL(fileURLWithPath: path))   // checks finite values too
        try dataset.validate(observationSpace: env.observationSpace, actionSpace: env.actionSpace, environment: config.env.id,
                             file: path)
        return dataset
    }
}

extension ExperimentRunner {
    /// The dataset sampling weights `offline.trajectory_weighting` asks for (nil: uniform).
    func trajectoryWeights(of dataset: OfflineDataset) -> TrajectoryWeights? {
        switch config.offline.trajectoryWeighting {
        case .none: return nil
        case .return: return TrajectoryWeights(dataset: dataset, temperature: config.offline.weightingTemperature)
        }
    }
}

extension ExperimentRunner {
    /// The `ReferenceReturns` of the run's environment and settings (a setting given at its default value counts as not given).
    var referenceReturns: ReferenceReturns? {
        let defaults = (try? registry.spec(config.env.id).settings) ?? []
        let given = config.env.settings.filter { key, value in !defaults.contains { $0.key == key && $0.defaultValue == value } }
        return ReferenceReturns.forEnvironment(config.env.id, settings: given)
    }
}

extension RunSession {
    /// After an evaluation that returned `meanReturn`, logs
    /// `eval/normalized_score` where the environment has `ReferenceReturns`.
    func recordNormalizedScore(_ meanReturn: Double?) {
        guard let meanReturn, let references = runner.referenceReturns else { return }
        record(["eval/normalized_score": references.normalizedScore(meanReturn)])
    }
}
