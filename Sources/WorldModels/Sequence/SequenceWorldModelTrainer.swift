import Foundation
import NN
import Replay
import SeededRandom
import TensorCore

/// Trains a `SequenceWorldModel` on windows of a replay buffer:
///
/// 1. **split** the stored episodes at random into training and held-out
///    validation episodes (`validationRatio`), copied into two buffers;
/// 2. **normalise**: fit the model's input statistics of `[o, a]` and output
///    statistics of `[o' − o, r]` on the training transitions;
/// 3. **steps**: each member draws its own batch of `batchSize` windows of
///    `sequenceLength` steps (`ReplayBuffer.sampleSequences`, reset masks
///    honoured by the backbone), runs the teacher-forced parallel forward, and
///    scores steps `burnIn ..< L` with `SequenceModelHeads.loss` (weighted
///    observation NLL/MSE + reward MSE + termination BCE, plus the backbone's
///    own term when it is a `RegularizedSequenceBackbone`, e.g. the RSSM's
///    KL); gradients are
///    clipped to `gradientClip` (global norm) and applied by the member's Adam
///    at the step's rate of `schedule` (warm-up and cosine decay);
/// 4. **validate** on fixed windows of the held-out episodes every
///    `validationInterval` steps and at the end, optionally restoring each
///    member's best parameters.
///
/// Every random choice (split, windows, per-member streams) flows from the
/// generator passed in. Cost per step and member: one forward and backward of
/// the backbone over `batchSize × sequenceLength` steps.
public struct SequenceWorldModelTrainer: Sendable {
    public var configuration: SequenceTrainingConfiguration

    public init(configuration: SequenceTrainingConfiguration = SequenceTrainingConfiguration()) {
        self.configuration = configuration
    }

    @discardableResult
    public func train<Backbone>(_ model: SequenceWorldModel<Backbone>, on buffer: ReplayBuffer,
                                using generator: inout SeededGenerator) throws -> SequenceTrainingReport {
        let c = configuration, L = c.sequenceLength
        guard L >= 1, c.burnIn >= 0, c.burnIn < L else {
            throw SequenceTrainingError("sequence length \(L) and burn-in \(c.burnIn): need sequence_length >= 1 and 0 <= burn_in < sequence_length")
        }
        guard c.batchSize >= 1 else { throw SequenceTrainingError("batch size must be >= 1, got \(c.batchSize)") }
        guard buffer.observationSize == model.observationSize && buffer.actionSize == model.actionSize else {
            throw SequenceTrainingError("the buffer stores observations of \(buffer.observationSize) and actions of \(buffer.actionSize) floats; the model expects \(model.observationSize) and \(model.actionSize)")
        }

        // MARK: split episodes
        let (trainBuffer, validationBuffer, trainEpisodes, validationEpisodes) = split(buffer, using: &generator)
        guard trainBuffer.count >= L else {
            throw SequenceTrainingError("the training episodes hold \(trainBuffer.count) transitions, fewer than one window of sequence_length \(L); collect more data or shorten the windows")
        }
        if c.sampling == .withinEpisode && !trainBuffer.episodeRanges.contains(where: { $0.length >= L }) {
            throw SequenceTrainingError("no training episode has \(L) steps for within-episode windows; use across-episode sampling or shorter windows")
        }

        // MARK: normalisers
        fitNormalizers(model, trainBuffer)

        // MARK: validation windows (fixed)
        var validationBatch: SequenceBatch?
        if let validationBuffer {
            let length = min(L, validationBuffer.count)
            var g = generator.split()
            validationBatch = try? validationBuffer.sampleSequences(batchSize: c.validationWindows, length: length, mode: c.sampling, using: &g)
        }
        let validationBurnIn = validationBatch.map { min(c.burnIn, $0.length - 1) } ?? 0

        // MARK: gradient steps, member by member per step
        let steps = c.steps(forTransitions: trainBuffer.count)
        let members = model.members
        var streams = members.map { _ in generator.split() }
        let optimizers = members.map {
            Adam(parameters: $0.parameters, learningRate: c.learningRate, weightDecay: c.weightDecay)
        }
        var batch = SequenceBatch(observationSize: model.observationSize, actionSize: model.actionSize)
        var recentLosses: [Float] = []
        var lastValidation: [Float]?, bestValidation: [Float]?, lastTerms: [Float]?
        var best: [[Tensor]] = members.map { $0.parameters.map(\.value) }
        var seconds = 0.0
        let schedule = c.schedule

        func validate() {
            guard let vb = validationBatch else { return }
            let scores = members.map { evaluate($0, model, vb, from: validationBurnIn) }
            lastValidation = scores.map(\.0)
            lastTerms = (0..<3).map { k in scores.map { $0.1[k] }.reduce(0, +) / Float(scores.count) }
            if bestValidation == nil { bestValidation = scores.map { _ in .infinity } }
            for m in 0..<members.count where scores[m].0 < bestValidation![m] {
                bestValidation![m] = scores[m].0
                if c.keepBestWeights { best[m] = members[m].parameters.map(\.value) }
            }
        }

        for step in 0..<steps {
            let start = Date()
            var stepLoss: Float = 0
            for (m, member) in members.enumerated() {
                try trainBuffer.sampleSequences(batchSize: c.batchSize, length: L, mode: c.sampling, into: &batch, using: &streams[m])
                let (inputs, mask, targets) = model.trainingTensors(batch, from: c.burnIn)
                var (loss, gradients) = valueWithGradient(of: member.parameters) { tape in
                    let outputs = member.outputs(tape.constant(inputs), resetMask: mask, from: c.burnIn)
                    let total = member.heads.loss(outputs, targets: targets, weights: c.lossWeights).total
                    return regularization(of: member.backbone).map { total + $0 } ?? total
                }
                if let clip = c.gradientClip { clipGradientNorm(&gradients, maxNorm: clip) }
                optimizers[m].learningRate = schedule.rate(step: step, of: steps)
                optimizers[m].update(gradients)
                stepLoss += loss
            }
            seconds += Date().timeIntervalSince(start)
            recentLosses.append(stepLoss / Float(members.count))
            if c.validationInterval > 0 && (step + 1) % c.validationInterval == 0 && step + 1 < steps { validate() }
        }
        validate()
        if c.keepBestWeights && validationBatch != nil {
            for (m, member) in members.enumerated() {
                for (p, value) in zip(member.parameters, best[m]) { p.value = value }
            }
        }
        let tail = recentLosses.suffix(max(1, steps / 10))
        return SequenceTrainingReport(
            steps: steps, trainLoss: tail.reduce(0, +) / Float(tail.count),
            validationLoss: lastValidation, bestValidationLoss: bestValidation, validationTerms: lastTerms,
            trainTransitions: trainBuffer.count, validationTransitions: validationBuffer?.count ?? 0,
            trainEpisodes: trainEpisodes, validationEpisodes: validationEpisodes,
            seconds: seconds, stepsPerSecond: seconds > 0 ? Double(steps * members.count) / seconds : 0)
    }

    /// A member's weighted loss and its three terms on `batch` (no gradients).
    func evaluate<Backbone>(_ member: SequenceWorldModel<Backbone>.Member, _ model: SequenceWorldModel<Backbone>,
                            _ batch: SequenceBatch, from: Int) -> (Float, [Float]) {
        let (inputs, mask, targets) = model.trainingTensors(batch, from: from)
        let tape = Tape(differentiating: [])
        let outputs = member.outputs(tape.constant(inputs), resetMask: mask, from: from)
        let loss = member.heads.loss(outputs, targets: targets, weights: configuration.lossWeights)
        let total = regularization(of: member.backbone).map { loss.total + $0 } ?? loss.total
        return (total.value.scalar, [loss.observation, loss.reward, loss.termination])
    }

    /// The backbone's loss term of its last parallel forward (``RegularizedSequenceBackbone``,
    /// e.g. the RSSM's KL), taken from it; nil for other backbones.
    func regularization(of backbone: some SequenceBackbone) -> Variable? {
        (backbone as? any RegularizedSequenceBackbone)?.takeRegularizationLoss()
    }

    /// Random episode split into a training buffer and (when ≥ 2 episodes and a positive ratio) a validation buffer.
    func split(_ buffer: ReplayBuffer, using generator: inout SeededGenerator)
        -> (ReplayBuffer, ReplayBuffer?, Int, Int) {
        let ranges = buffer.episodeRanges
        var held = 0
        if ranges.count >= 2 && configuration.validationRatio > 0 {
            held = min(max(1, Int((configuration.validationRatio * Double(ranges.count)).rounded())), ranges.count - 1)
        }
        let order = generator.permutation(ranges.count)
        let heldOut = Set(order.prefix(held))
        func copy(_ picked: [EpisodeRange]) -> ReplayBuffer {
            let total = picked.reduce(0) { $0 + $1.length }
            var out = ReplayBuffer(capacity: max(total, 1), observationSize: buffer.observationSize, actionSize: buffer.actionSize)
            for range in picked {
                for p in range.start..<(range.start + range.length) {
                    let t = buffer.transition(at: p)
                    out.add(observation: t.observation, action: t.action, reward: t.reward, nextObservation: t.nextObservation,
                            terminated: t.terminated, truncated: t.truncated)
                }
                out.endEpisode()
            }
            return out
        }
        let train = copy(ranges.indices.filter { !heldOut.contains($0) }.map { ranges[$0] })
        let validation = held > 0 ? copy(ranges.indices.filter { heldOut.contains($0) }.map { ranges[$0] }) : nil
        return (train, validation, ranges.count - held, held)
    }

    /// Fits the model's normalisers to every transition of `buffer`.
    func fitNormalizers<Backbone>(_ model: SequenceWorldModel<Backbone>, _ buffer: ReplayBuffer) {
        let data = buffer.dataset(), n = data.count, o = model.observationSize, a = model.actionSize
        var inputs = [Float](repeating: 0, count: n * (o + a)), outputs = [Float](repeating: 0, count: n * (o + 1))
        for t in 0..<n {
            for i in 0..<o {
                inputs[t * (o + a) + i] = data.observations[t * o + i]
                outputs[t * (o + 1) + i] = data.nextObservations[t * o + i] - data.observations[t * o + i]
            }
            for j in 0..<a { inputs[t * (o + a) + o + j] = data.actions[t * a + j] }
            outputs[t * (o + 1) + o] = data.rewards[t]
        }
        var input = Normalizer(size: o + a), output = Normalizer(size: o + 1)
        inputs.withUnsafeBufferPointer { input.fit($0, rows: n) }
        outputs.withUnsafeBufferPointer { output.fit($0, rows: n) }
        model.setNormalizers(input: input, output: output)
    }
}
