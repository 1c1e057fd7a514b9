import NN
import Replay
import SeededRandom

/// What one `EnsembleWorldModel.train` call did.
public struct EnsembleTrainingReport: Sendable, Equatable {
    /// Epochs run (early stopping may end before the configured number).
    public var epochs: Int
    /// Mean training loss (NLL or MSE, normalised space) over the last epoch's steps.
    public var trainLoss: Float
    /// Each member's best validation MSE (normalised outputs), after restoring its best weights.
    public var validationMSE: [Float]
    /// Members chosen as elites, best first.
    public var elites: [Int]
    /// Transitions used for training and for validation.
    public var trainCount: Int
    public var validationCount: Int

    /// Mean validation MSE over the elites.
    public var eliteValidationMSE: Float {
        elites.map { validationMSE[$0] }.reduce(0, +) / Float(max(elites.count, 1))
    }
}

extension EnsembleWorldModel {
    /// Trains on every transition of `dataset` (mbrl-lib's `ModelTrainer.train`):
    ///
    /// 1. fits the input and output normalisers to all the data;
    /// 2. holds out `validationRatio` of it (a random split) for validation;
    /// 3. gives each member a bootstrap resample of the rest (or the rest itself);
    /// 4. runs up to `epochs` epochs of mini-batches (one batch per member per
    ///    step, batched in one network call), evaluating each member's
    ///    validation MSE after every epoch and keeping each member's best
    ///    weights (an improvement is > 1% relative, as mbrl-lib);
    /// 5. stops after `patience` epochs without improvement, restores the best
    ///    weights and picks the `elites` members with the lowest validation MSE.
    ///
    /// With no validation data (tiny datasets) the training data is used for validation.
    @discardableResult
    public func train(on dataset: OfflineDataset, using generator: inout SeededGenerator) -> EnsembleTrainingReport {
        let n = dataset.count, o = observationSize, a = actionSize, inSize = inputSize, outSize = outputSize
        precondition(n > 0, "EnsembleWorldModel.train: the dataset is empty")
        precondition(dataset.observationSize == o && dataset.actionSize == a,
                     "EnsembleWorldModel.train: dataset has observations \(dataset.observationSize), actions \(dataset.actionSize); model expects \(o), \(a)")

        // MARK: inputs [o, a] and targets [o' - o, r], normalised
        var inputs = [Float](repeating: 0, count: n * inSize)
        var targets = [Float](repeating: 0, count: n * outSize)
        for t in 0..<n {
            for i in 0..<o {
                inputs[t * inSize + i] = dataset.observations[t * o + i]
                targets[t * outSize + i] = dataset.nextObservations[t * o + i] - dataset.observations[t * o + i]
            }
            for j in 0..<a { inputs[t * inSize + o + j] = dataset.actions[t * a + j] }
            if configuration.learnedReward { targets[t * outSize + o] = dataset.rewards[t] }
        }
        inputs.withUnsafeBufferPointer { inputNormalizer.fit($0, rows: n) }
        targets.withUnsafeBufferPointer { outputNormalizer.fit($0, rows: n) }
        for t in 0..<n {
            for i in 0..<inSize { inputs[t * inSize + i] = inputNormalizer.normalize(inputs[t * inSize + i], feature: i) }
            for i in 0..<outSize { targets[t * outSize + i] = outputNormalizer.normalize(targets[t * outSize + i], feature: i) }
        }

        // MARK: validation split and per-member training sets
        let order = generator.permutation(n)
        let validationCount = n >= 2 ? min(Int(Float(n) * configuration.validationRatio), n - 1) : 0
        let validation = validationCount > 0 ? Array(order[(n - validationCount)...]) : Array(order)
        let train = Array(order[..<(n - validationCount)])
        let members = configuration.members
        var memberIndices: [[Int]] = (0..<members).map { _ in
            configuration.bootstrap ? train.map { _ in train[Int(generator.next(upperBound: UInt64(train.count)))] } : train
        }

        // MARK: epochs of mini-batches, best weights per member
        let optimizer = EnsembleAdamSettings(learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        var best = network.flatParameters
        var bestScore = validationScores(inputs: inputs, targets: targets, rows: validation)
        var epochsWithoutImprovement = 0, epochs = 0
        var lastLoss: Float = 0
        let batchSize = min(configuration.batchSize, train.count)
        var batchInputs: [Float] = [], batchTargets: [Float] = []
        for _ in 0..<configuration.epochs {
            for m in 0..<members { memberIndices[m] = generator.permutation(train.count).map { memberIndices[m][$0] } }
            var lossSum: Float = 0, steps = 0
            var start = 0
            while start < train.count {
                let b = min(batchSize, train.count - start)
                if batchInputs.count != members * b * inSize {
                    batchInputs = [Float](repeating: 0, count: members * b * inSize)
                    batchTargets = [Float](repeating: 0, count: members * b * outSize)
                }
                for m in 0..<members {
                    for k in 0..<b {
                        let t = memberIndices[m][start + k], row = m * b + k
                        for i in 0..<inSize { batchInputs[row * inSize + i] = inputs[t * inSize + i] }
                        for i in 0..<outSize { batchTargets[row * outSize + i] = targets[t * outSize + i] }
                    }
                }
                lossSum += network.trainStep(inputs: batchInputs, targets: batchTargets, optimizer: optimizer)
                steps += 1
                start += b
            }
            epochs += 1
            lastLoss = lossSum / Float(max(steps, 1))
            let scores = validationScores(inputs: inputs, targets: targets, rows: validation)
            let improved = (0..<members).filter { (bestScore[$0] - scores[$0]) / max(abs(bestScore[$0]), 1e-12) > 0.01 }
            if improved.isEmpty {
                epochsWithoutImprovement += 1
                if epochsWithoutImprovement >= configuration.patience { break }
            } else {
                epochsWithoutImprovement = 0
                let current = network.flatParameters
                copyMembers(improved, from: current, into: &best)
                for m in improved { bestScore[m] = scores[m] }
            }
        }
        network.flatParameters = best
        elites = Array((0..<members).sorted { bestScore[$0] < bestScore[$1] }.prefix(configuration.elites))
        return EnsembleTrainingReport(epochs: epochs, trainLoss: lastLoss, validationMSE: bestScore, elites: elites,
                                      trainCount: train.count, validationCount: validationCount)
    }

    /// Trains on every transition stored in `buffer`.
    @discardableResult
    public func train(on buffer: ReplayBuffer, using generator: inout SeededGenerator) -> EnsembleTrainingReport {
        train(on: buffer.dataset(), using: &generator)
    }

    /// Each member's MSE of its mean prediction on `rows` (normalised space).
    func validationScores(inputs: [Float], targets: [Float], rows: [Int]) -> [Float] {
        let members = configuration.members, inSize = inputSize, d = outputSize, v = rows.count
        var x = [Float](repeating: 0, count: members * v * inSize)
        for m in 0..<members {
            for (k, t) in rows.enumerated() {
                for i in 0..<inSize { x[(m * v + k) * inSize + i] = inputs[t * inSize + i] }
            }
        }
        let (means, _) = network.predict(inputs: x, rows: v)
        return (0..<members).map { m in
            var sum: Float = 0
            for (k, t) in rows.enumerated() {
                for i in 0..<d { let e = means[(m * v + k) * d + i] - targets[t * d + i]; sum += e * e }
            }
            return sum / Float(v * d)
        }
    }

    /// Copies the parameters of `members` (every tensor with a leading member axis)
    /// and the shared tensors from `source` into `destination` (flat layouts).
    func copyMembers(_ members: [Int], from source: [Float], into destination: inout [Float]) {
        let count = configuration.members
        for spec in network.parameterSpecs {
            if spec.shape.first == count && spec.shape.count == 3 {
                let per = spec.count / count
                for m in members {
                    let lo = spec.offset + m * per
                    destination.replaceSubrange(lo..<(lo + per), with: source[lo..<(lo + per)])
                }
            } else {
                destination.replaceSubrange(spec.offset..<(spec.offset + spec.count), with: source[spec.offset..<(spec.offset + spec.count)])
            }
        }
    }
}
