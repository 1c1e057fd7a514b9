import Foundation
import NN

extension EnsembleWorldModel {
    /// The model as a safetensors file: the network's parameters under
    /// `network.<name>` (PyTorch names, e.g. `network.hidden.0.weight`), the
    /// normalisers' statistics, Adam's moments (`optimizer.exp_avg`,
    /// `optimizer.exp_avg_sq`, flat; the network keeps them from one training
    /// call to the next, as mbrl-lib's `ModelTrainer` keeps its optimiser), and
    /// the elites and Adam's step count in the metadata.
    public func checkpoint() -> SafeTensorsFile {
        var tensors: [String: CheckpointArray] = [:]
        for (name, shape, values) in network.namedParameters() {
            tensors["network.\(name)"] = CheckpointArray(shape: shape, values: values)
        }
        tensors.merge(inputNormalizer.checkpointTensors(name: "input_normalizer")) { a, _ in a }
        tensors.merge(outputNormalizer.checkpointTensors(name: "output_normalizer")) { a, _ in a }
        let optimizer = network.optimizerState
        tensors["optimizer.exp_avg"] = CheckpointArray(shape: [network.parameterCount], values: optimizer.firstMoment)
        tensors["optimizer.exp_avg_sq"] = CheckpointArray(shape: [network.parameterCount], values: optimizer.secondMoment)
        return SafeTensorsFile(tensors: tensors, metadata: [
            "format": "mbrl EnsembleWorldModel",
            "elites": elites.map(String.init).joined(separator: ","),
            "optimizer_step": String(optimizer.step),
        ])
    }

    /// The tensor names and shapes a checkpoint of this model holds.
    public var checkpointShapes: [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for spec in network.parameterSpecs { shapes["network.\(spec.name)"] = spec.shape }
        shapes.merge(Normalizer.checkpointShapes(name: "input_normalizer", size: inputSize)) { a, _ in a }
        shapes.merge(Normalizer.checkpointShapes(name: "output_normalizer", size: outputSize)) { a, _ in a }
        shapes["optimizer.exp_avg"] = [network.parameterCount]
        shapes["optimizer.exp_avg_sq"] = [network.parameterCount]
        return shapes
    }

    /// Loads weights, normalisers and elites from a file written from
    /// `checkpoint()`. A missing, unexpected or wrongly shaped tensor is an
    /// error naming it (`SafeTensorsError`); bad elites or step metadata names the file.
    /// Nothing is changed when it throws.
    public func load(checkpointAt url: URL) throws {
        let tensors = try SafeTensorsFile.load(from: url, expecting: checkpointShapes)
        let metadata = try SafeTensorsFile.read(from: url).metadata
        let members = configuration.members
        // Every comma-separated field an index (none dropped), all distinct, as `checkpoint()` writes them.
        guard let text = metadata["elites"],
              case let fields = text.split(separator: ",", omittingEmptySubsequences: false),
              case let parsed = fields.compactMap({ Int($0) }), parsed.count == fields.count, Set(parsed).count == parsed.count,
              parsed.count == configuration.elites, parsed.allSatisfy({ (0..<members).contains($0) }) else {
            throw SafeTensorsError(.invalidHeader(reason: "metadata 'elites' must list \(configuration.elites) distinct member indices below \(members), got '\(metadata["elites"] ?? "")'"),
                                   file: url.path)
        }
        // Everything is checked before anything changes: a rejected file leaves the model as it was.
        guard let step = metadata["optimizer_step"].flatMap({ Int($0) }), step >= 0 else {
            throw SafeTensorsError(.invalidHeader(reason: "metadata 'optimizer_step' must be a step count >= 0, got '\(metadata["optimizer_step"] ?? "")'"),
                                   file: url.path)
        }
        for spec in network.parameterSpecs {
            try network.setParameter(named: spec.name, values: tensors["network.\(spec.name)"]!.values)
        }
        network.optimizerState = (step, tensors["optimizer.exp_avg"]!.values, tensors["optimizer.exp_avg_sq"]!.values)
        inputNormalizer = Normalizer(checkpoint: tensors, name: "input_normalizer")
        outputNormalizer = Normalizer(checkpoint: tensors, name: "output_normalizer")
        elites = parsed
    }
}
