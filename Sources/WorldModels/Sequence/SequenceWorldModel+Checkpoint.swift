import Foundation
import NN
import SeededRandom

extension SequenceWorldModel {
    /// The model as a safetensors file: member m's backbone and heads under
    /// `members.<m>.backbone.<name>` and `members.<m>.heads.<name>`, the
    /// normalisers' statistics, and a noisy backbone's stream (an RSSM's) in the
    /// metadata as `members.<m>.noise_generator` (JSON). The optimiser moments
    /// are not saved: the trainer makes a new Adam per `fit`.
    public func checkpoint() -> SafeTensorsFile {
        var tensors: [String: CheckpointArray] = [:]
        for (m, member) in members.enumerated() {
            tensors.merge(member.checkpointTensors(prefix: "members.\(m)."), uniquingKeysWith: { a, _ in a })
        }
        tensors.merge(inputNormalizer.checkpointTensors(name: "input_normalizer")) { a, _ in a }
        tensors.merge(outputNormalizer.checkpointTensors(name: "output_normalizer")) { a, _ in a }
        var metadata = ["format": "mbrl SequenceWorldModel", "backbone": String(describing: Backbone.self)]
        for (m, member) in members.enumerated() {
            if let noisy = member.backbone as? NoisySequenceBackbone,
               let json = try? JSONEncoder().encode(noisy.noiseGenerator) {
                metadata["members.\(m).noise_generator"] = String(decoding: json, as: UTF8.self)
            }
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
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
        let metadata = try SafeTensorsFile.read(from: url).metadata
        var streams: [Int: SeededGenerator] = [:]
        for m in members.indices {
            guard let text = metadata["members.\(m).noise_generator"] else { continue }   // older files: streams stay as they are
            guard let stream = try? JSONDecoder().decode(SeededGenerator.self, from: Data(text.utf8)) else {
                throw SafeTensorsError(.invalidHeader(reason: "metadata 'members.\(m).noise_generator' is not a generator state"), file: url.path)
            }
            streams[m] = stream
        }
        for (m, member) in members.enumerated() {
            member.loadCheckpointTensors(tensors, prefix: "members.\(m).")
            if let stream = streams[m], let noisy = member.backbone as? NoisySequenceBackbone { noisy.noiseGenerator = stream }
        }
        inputNormalizer = Normalizer(checkpoint: tensors, name: "input_normalizer")
        outputNormalizer = Normalizer(checkpoint: tensors, name: "output_normalizer")
    }
}
