import NN

/// Checkpoint tensors of an ``ObservationNormalizer``: `obs_normalizer.mean` and
/// `obs_normalizer.std`, `[observationSize]` each.
extension ObservationNormalizer {
    static let checkpointPrefix = "obs_normalizer."

    func checkpointTensors() -> [String: CheckpointArray] {
        [Self.checkpointPrefix + "mean": CheckpointArray(shape: [mean.count], values: mean),
         Self.checkpointPrefix + "std": CheckpointArray(shape: [std.count], values: std)]
    }

    static func checkpointShapes(size: Int) -> [String: [Int]] {
        [checkpointPrefix + "mean": [size], checkpointPrefix + "std": [size]]
    }

    /// The normaliser stored in `tensors` (shapes already checked); throws ``SafeTensorsError``
    /// when a std is not positive and finite or a mean not finite.
    static func fromCheckpoint(_ tensors: [String: CheckpointArray], label: String) throws -> ObservationNormalizer {
        let mean = tensors[checkpointPrefix + "mean"]!.values, std = tensors[checkpointPrefix + "std"]!.values
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw SafeTensorsError(.invalidHeader(reason: "'\(checkpointPrefix)std' must be positive and finite and "
                                                  + "'\(checkpointPrefix)mean' finite"), file: label)
        }
        return ObservationNormalizer(mean: mean, std: std)
    }
}
