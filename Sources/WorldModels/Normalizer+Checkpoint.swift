import NN

/// A `Normalizer` in a world model's checkpoint: `<name>.mean` and `<name>.std`,
/// each `[size]` (the names `EnsembleWorldModel` and `SequenceWorldModel` use are
/// `input_normalizer` and `output_normalizer`).
extension Normalizer {
    /// The statistics as checkpoint tensors named `<name>.mean` and `<name>.std`.
    func checkpointTensors(name: String) -> [String: CheckpointArray] {
        ["\(name).mean": CheckpointArray(shape: [size], values: mean),
         "\(name).std": CheckpointArray(shape: [size], values: std)]
    }

    /// The names and shapes `checkpointTensors(name:)` writes for `size` features.
    static func checkpointShapes(name: String, size: Int) -> [String: [Int]] {
        ["\(name).mean": [size], "\(name).std": [size]]
    }

    /// The normaliser stored under `name` in `tensors`, which were checked against
    /// `checkpointShapes(name:size:)` (`SafeTensorsFile.load(from:expecting:)` does).
    init(checkpoint tensors: [String: CheckpointArray], name: String) {
        self.init(mean: tensors["\(name).mean"]!.values, std: tensors["\(name).std"]!.values)
    }
}
