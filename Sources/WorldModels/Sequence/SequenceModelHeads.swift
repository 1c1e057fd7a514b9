import NN
import SeededRandom
import TensorCore

/// Weights of the three terms of the sequence world-model loss.
public struct SequenceLossWeights: Sendable, Equatable, Codable {
    /// Next-observation term (Gaussian NLL, or MSE when deterministic).
    public var observation: Float = 1
    /// Reward MSE (normalised reward).
    public var reward: Float = 1
    /// Termination binary cross-entropy.
    public var termination: Float = 1

    public init(observation: Float = 1, reward: Float = 1, termination: Float = 1) {
        self.observation = observation
        self.reward = reward
        self.termination = termination
    }
}

/// Per-step training targets for `SequenceModelHeads.loss`, flat over the
/// `n` scored steps: `delta` `[n, observationSize]` (normalised `o' − o`),
/// `reward` `[n, 1]` (normalised), `terminated` `[n, 1]` (0/1).
public struct SequenceTargets {
    public var delta: Tensor
    public var reward: Tensor
    public var terminated: Tensor

    public init(delta: Tensor, reward: Tensor, terminated: Tensor) {
        self.delta = delta
        self.reward = reward
        self.terminated = terminated
    }
}

/// The prediction heads shared by every sequence backbone: an optional hidden
/// layer `h = SiLU(W₁ f + b₁)` of `hiddenSize` units (0: none, h = f), then one
/// `Linear` to
///
///     [μ (o) | raw log σ² (o, probabilistic only) | r̂ (1) | ℓ (1)]
///
/// - μ: mean of the normalised next-observation delta `(o' − o − m)/s`;
/// - log σ²: soft-bounded as PETS (`SoftLogVarianceBounds`, learned min/max);
/// - r̂: normalised reward; ℓ: termination logit, p(terminated) = σ(ℓ).
///
/// Loss over n scored steps (`loss(_:targets:weights:)`), each term a mean:
///
///     L = w_o · mean((μ − y)² e^{−log σ²} + log σ²) + 0.01·(Σ max − Σ min)   (probabilistic)
///       | w_o · mean((μ − y)²)                                                (deterministic)
///       + w_r · mean((r̂ − r)²)
///       + w_t · mean(softplus(ℓ) − d·ℓ)          (binary cross-entropy with logits)
///
/// Shapes: features `[n, featureSize]` → each output `[n, ·]`.
public final class SequenceModelHeads: Module {
    public let featureSize: Int
    public let observationSize: Int
    public let deterministic: Bool
    /// Units of the shared hidden layer (0: the output reads the features directly).
    public let hiddenSize: Int
    public let hidden: Linear?
    public let output: Linear
    public let bounds: SoftLogVarianceBounds?

    /// Differentiable outputs.
    public struct Outputs {
        public var mean: Variable
        public var logVariance: Variable?
        public var reward: Variable
        public var terminationLogit: Variable
    }

    /// Inference outputs (log-variance bounded).
    public struct TensorOutputs {
        public var mean: Tensor
        public var logVariance: Tensor?
        public var reward: Tensor
        public var terminationLogit: Tensor
    }

    /// The loss and its three terms (before weighting).
    public struct Loss {
        public var total: Variable
        public var observation: Float
        public var reward: Float
        public var termination: Float
    }

    public init(featureSize: Int, observationSize: Int, deterministic: Bool, hiddenSize: Int = 0,
                generator: inout SeededGenerator) {
        precondition(hiddenSize >= 0, "SequenceModelHeads: hiddenSize must be >= 0, got \(hiddenSize)")
        self.featureSize = featureSize
        self.observationSize = observationSize
        self.deterministic = deterministic
        self.hiddenSize = hiddenSize
        hidden = hiddenSize > 0 ? Linear(inputSize: featureSize, outputSize: hiddenSize, generator: &generator) : nil
        output = Linear(inputSize: hiddenSize > 0 ? hiddenSize : featureSize, outputSize: observationSize * (deterministic ? 1 : 2) + 2, generator: &generator)
        bounds = deterministic ? nil : SoftLogVarianceBounds(size: observationSize)
    }

    public func namedParameters() -> [(String, Parameter)] {
        (hidden.map { prefixed("hidden", $0) } ?? []) + prefixed("output", output) + (bounds.map { prefixed("bounds", $0) } ?? [])
    }

    var splitSizes: [Int] {
        deterministic ? [observationSize, 1, 1] : [observationSize, observationSize, 1, 1]
    }

    public func callAsFunction(_ features: Variable) -> Outputs {
        let parts = output(hidden.map { $0(features).silu() } ?? features).split(sizes: splitSizes, axis: 1)
        if let bounds {
            return Outputs(mean: parts[0], logVariance: bounds(parts[1]), reward: parts[2], terminationLogit: parts[3])
        }
        return Outputs(mean: parts[0], logVariance: nil, reward: parts[1], terminationLogit: parts[2])
    }

    public func callAsFunction(_ features: Tensor) -> TensorOutputs {
        let parts = output(hidden.map { $0(features).silu() } ?? features).split(sizes: splitSizes, axis: 1)
        if let bounds {
            return TensorOutputs(mean: parts[0], logVariance: bounds(parts[1]), reward: parts[2], terminationLogit: parts[3])
        }
        return TensorOutputs(mean: parts[0], logVariance: nil, reward: parts[1], terminationLogit: parts[2])
    }

    /// The weighted loss of `outputs` against `targets` (see the type's documentation).
    public func loss(_ outputs: Outputs, targets: SequenceTargets, weights: SequenceLossWeights) -> Loss {
        let tape = outputs.mean.tape
        let y = tape.constant(targets.delta)
        let observation: Variable
        if let logVariance = outputs.logVariance, let bounds {
            observation = gaussianNLLLoss(mean: outputs.mean, logVariance: logVariance, target: y) + bounds.penalty(tape: tape)
        } else {
            observation = mseLoss(outputs.mean, y)
        }
        let reward = mseLoss(outputs.reward, tape.constant(targets.reward))
        let logit = outputs.terminationLogit
        let termination = (logit.softplus() - logit * targets.terminated).mean()
        let total = observation * weights.observation + reward * weights.reward + termination * weights.termination
        return Loss(total: total, observation: observation.value.scalar, reward: reward.value.scalar,
                    termination: termination.value.scalar)
    }
}
