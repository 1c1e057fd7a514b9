import Foundation
import NN

extension SequenceWorldModel {
    /// The model as a safetensors file: member m's backbone and heads under
    /// `members.<m>.backbone.<name>` and `members.<m>.heads.<name>`, and the
    /// normalisers' statistics. (An RSSM's noise stream and the optimiser
    /// moments are not saved: the trainer makes a new Adam per `fit`.)
    public func checkpoint() -> SafeTensorsFile {
        var tensors: [String: CheckpointArray] = [:]
        for (m, member) in members.enumerated() {
            tensors.merge(member.checkpointTensors(prefix: "members.\(m)."), uniquingKeysWith: { a, _ in a })
        }
        for (name, array) in normalizerTensors() { tensors[name] = array }
        return SafeTensorsFile(tensors: tensors, metadata: ["format": "mbrl SequenceWorldModel",
                                                            "backbone": String(describing: Backbone.self)])
    }

    /// The tensor names and shapes a checkpoint of this model holds.
    public var checkpointShapes: [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for (m, member) in members.enumerated() {
            shapes.merge(member.checkpointShapes(prefix: "members.\(m)."), uniquingKeysWith: { a, _ in a })
        }
        for (name, array) in normalizerTensors() { shapes[name] = array.shape }
        return shapes
    }

    /// Loads parameters and normalisers from a file written by `checkpoint()`. A missing,
    /// unexpected or wrongly shaped tensor is an error naming it (`SafeTensorsError`), and
    /// nothing is changed then.
    public func load(checkpointAt url: URL) throws {
        let tensors = try SafeTensorsFile.load(from: url, expecting: checkpointShapes)
        for (m, member) in members.enumerated() { member.loadCheckpointTensors(tensors, prefix: "members.\(m).") }
        inputNormalizer = Normalizer(mean: tensors["input_normalizer.mean"]!.values, std: tensors["input_normalizer.std"]!.values)
        outputNormalizer = Normalizer(mean: tensors["output_normalizer.mean"]!.values, std: tensors["output_normalizer.std"]!.values)
    }

    private func normalizerTensors() -> [String: CheckpointArray] {
        [
            "input_normalizer.mean": CheckpointArray(shape: [inputSize], values: inputNormalizer.mean),
            "input_normalizer.std": CheckpointArray(shape: [inputSize], values: inputNormalizer.std),
            "output_normalizer.mean": CheckpointArray(shape: [observationSize + 1], values: outputNormalizer.mean),
            "output_normalizer.std": CheckpointArray(shape: [observationSize + 1], values: outputNormalizer.std),
        ]
    }
}
