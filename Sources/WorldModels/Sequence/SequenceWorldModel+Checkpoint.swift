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
        tensors.merge(inputNormalizer.checkpointTensors(name: "input_normalizer")) { a, _ in a }
        tensors.merge(outputNormalizer.checkpointTensors(name: "output_normalizer")) { a, _ in a }
        return SafeTensorsFile(tensors: tensors, metadata: ["format": "mbrl SequenceWorldModel",
                                                            "backbone": String(describing: Backbone.self)])
    }

    /// The tensor names and shapes a checkpoint of this model holds.
    public var checkpointShapes: [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for (m, member) in members.enumerated() {
            shapes.merge(member.checkpointShapes(prefix: "members.\(m)."), uniquingKeysWith: { a, _ in a })
        }
        shapes.merge(Normalizer.checkpointShapes(name: "input_normalizer", size: inputSize)) { a, _ in a }
        shapes.merge(Normalizer.checkpointShapes(name: "output_normalizer", size: observationSize + 1)) { a, _ in a }
        return shapes
    }

    /// Loads parameters and normalisers from a file written by `checkpoint()`. A missing,
    /// unexpected or wrongly shaped tensor is an error naming it (`SafeTensorsError`), and
    /// nothing is changed then.
    public func load(checkpointAt url: URL) throws {
        let tensors = try SafeTensorsFile.load(from: url, expecting: checkpointShapes)
        for (m, member) in members.enumerated() { member.loadCheckpointTensors(tensors, prefix: "members.\(m).") }
        inputNormalizer = Normalizer(checkpoint: tensors, name: "input_normalizer")
        outputNormalizer = Normalizer(checkpoint: tensors, name: "output_normalizer")
    }
}
