import Environments
import Replay
import SeededRandom

/// A memory probe for world models on `GridWorld-MemoryTMaze-v0` (Bakker
/// 2002): does the model remember the cue it saw at the first step when it
/// must predict the reward of entering an arm, `corridorLength + 3` steps later?
///
/// **Data** (`collect`): a scripted policy walks the corridor (`forward`
/// `corridorLength + 2` times, reaching the junction), turns left or right
/// uniformly at random (towards the up or down arm) and moves forward into
/// the arm, ending the episode with +1 when the arm matches the cue and
/// `wrong_reward` (−1) otherwise. Every episode has `corridorLength + 4`
/// steps; the cue (in the first observation only) and the turn are
/// independent fair coins, so the final reward is ±1 with probability ½ each
/// and is independent of everything visible at the junction.
///
/// **Accuracy** (`rewardAccuracy`): for every episode, condition the model on
/// the real prefix (all observations up to the arm, the actions before), then
/// imagine the last action and count the episode correct when the predicted
/// reward has the sign of the real one. A memoryless model cannot beat ½ in
/// expectation; a model with memory can reach 1.
///
/// Used by the memory tests of every backbone through `trainAndMeasure`
/// (corridor 16, 32 whole-episode windows per step, heads of 32 units; seed 7
/// in the tests) with the recipes of `Configs/compare-backbones-memory.yaml`,
/// whose seeds 0–7 (`mbrl eval-model`, AVX-512 machine) gave:
///
/// | backbone | recipe | steps, Adam lr | held-out accuracy |
/// |---|---|---|---|
/// | GRU (`GRUBackbone`) | 24 units, update-gate bias 6 | 600, 1e-2 | 100/100 (seeds 0–7) |
/// | RSSM-lite (`RSSMBackbone`) | GRU as above, z of 8, `observationToDeterministic` | 600, 1e-2 | 100/100 (seeds 0–7) |
/// | S4WM | d 32, 1 block, `.complex` S4D, N 64, Δ ~ logU(0.01, 0.1) | 3000, 2e-3 ⤵ | 100/100 (seeds 0–7) |
/// | transformer | d 32, 4 heads, ff 64, 1 layer, learned positions | 1500, 1e-3 ⤵ | 100/100 (seeds 0–3, 5); 46, 70, 82 (seeds 4, 6, 7) |
/// | Mamba | d 32, 1 block, N 16, `stateDecayInit` 0.02, `dtInitRange` 0.5...2, no weight decay | 5000, 1e-3 | 100/100 (seeds 0–7; AVX-512) |
/// | MLP (memoryless) | 24 units | 60, 1e-2 | ≈ 50 % |
///
/// ⤵: warmed up over 100 steps and decayed (cosine) to a tenth
/// (`LearningRateSchedule`). The earlier budgets sat on a knife edge: 300 GRU
/// steps, 600 S4WM steps and 700 transformer steps at constant rates learned
/// on 2–3 of seeds 0–3, and which seeds changed between AVX2 and AVX-512
/// machines (rounding); S4WM at 1500 scheduled steps still left seeds 4 and 6
/// at chance, the transformer at 1500 constant-rate steps seed 1. The
/// transformer has no margin yet: 3000 scheduled steps fixed seeds 6 and 7
/// but left seed 4 at 69/100 (seeds 0–3, 5 not run at 3000).
///
/// The RSSM needs the observation in its deterministic path: through the
/// posterior latent alone the cue never reached the memory (see `RSSMBackbone`).
///
/// What decides success is how strongly the cue still moves the features 19
/// steps later at initialisation, and a learning rate that lets the model find
/// that weak signal before it settles: the reward is the XOR of the cue and the
/// heading at the junction, so (as we read the sweeps) until the memory path
/// carries the cue its gradient is a small second-order signal under the ±1
/// reward noise. Hence
/// the GRU's update-gate bias (z ≈ 0.998: a flat memory), S4D-Lin's slow decay
/// (A_re = −½ for every state; S4D-Real's A_n = −(n+1) leaves one or two slow
/// states and stayed at chance), and Adam 1e-3–2e-3 for S4WM and the
/// transformer (at 1e-2 S4WM stays at chance after 2000 steps, the
/// transformer after 1000, and the transformer at 3e-3 too). Mamba's memory
/// path (gain Δ·B·C with B, C input projections of ≈ 0.2) is weaker still:
/// with the default or the reference Δ init (`dtInitRange: 1e-3...1e-1`,
/// A_n = −(n+1)) it learns corridor 1 (reference Δ, Adam 2e-3, 1000 steps) but
/// stays at chance at corridor 4 (same) and 16 (4000 steps at Adam 1e-3); every
/// A = −0.02 with Δ₀ ∈ 0.5…2 (slow decay, gain ≈ Δ) raises the lag-19 effect of
/// an input ~500× over the reference init and learns corridor 4 in 1000 steps
/// (Adam 2e-3) and corridor 16 in 4000–5000 (Adam 1e-3; not within 3000 at
/// 2e-3), too many for a debug build (≈ 70 s per 300 steps), so its test is
/// release-only. It needs weight decay 0: the config's default 5e-5 (Adam's
/// L2 form, normalised like a gradient) drifted every A from −0.02 to −0.57
/// and Δ from 1.2 to 0.74 in 4500 steps, erasing the memory, and left seeds
/// 0–3 at chance; the tests' trainer never decayed (see ``MambaBlock``).
public struct TMazeMemoryProbe: Sendable {
    public var corridorLength: Int
    /// Environment settings passed to the registry besides `corridor_length` (e.g. `observation: partial`).
    public var settings: [String: SettingValue]

    public init(corridorLength: Int = 16, settings: [String: SettingValue] = [:]) {
        self.corridorLength = corridorLength
        self.settings = settings
    }

    /// Steps per scripted episode.
    public var episodeLength: Int { corridorLength + 4 }

    /// The environment (`GridWorld-MemoryTMaze-v0` from the built-in registry).
    public func makeEnvironment() throws -> any Environment {
        var values = settings
        values["corridor_length"] = .int(corridorLength)
        return try EnvironmentRegistry.builtin.make("GridWorld-MemoryTMaze-v0", settings: values)
    }

    /// `episodes` scripted episodes (see the type's documentation) in a new buffer; seeds and turns from `generator`.
    public func collect(episodes: Int, using generator: inout SeededGenerator) throws -> ReplayBuffer {
        var env = try makeEnvironment()
        var buffer = ReplayBuffer(capacity: max(episodes * episodeLength, 1), observationSpace: env.observationSpace,
                                  actionSpace: env.actionSpace)
        for _ in 0..<episodes {
            var observation = try env.reset(seed: generator.next()).observation
            let turn = generator.next(upperBound: UInt64(2)) == 0 ? GridWorld.Move.turnLeft : .turnRight
            let moves = [GridWorld.Move](repeating: .forward, count: corridorLength + 2) + [turn, .forward]
            for move in moves {
                let action = Action.discrete(move.rawValue)
                let step = try env.step(action)
                buffer.add(observation: observation, action: action, step: step)
                observation = step.observation
                if step.terminated || step.truncated { break }
            }
            buffer.endEpisode()
        }
        return buffer
    }

    /// The outcome of `rewardAccuracy`.
    public struct Result: Sendable, Equatable {
        /// Episodes whose final reward sign the model predicted correctly.
        public var correct: Int
        public var episodes: Int
        public var accuracy: Double { episodes > 0 ? Double(correct) / Double(episodes) : 0 }
    }

    /// The sign accuracy of `model`'s predicted final reward over the episodes of `buffer`
    /// (all episodes are conditioned and imagined together, one row each).
    public func rewardAccuracy<Model: WorldModel>(of model: Model, on buffer: ReplayBuffer,
                                                  using generator: inout SeededGenerator) -> Result {
        let episodes = buffer.episodes.filter { $0.length == episodeLength }
        let rows = episodes.count, o = buffer.observationSize, a = buffer.actionSize
        guard rows > 0 else { return Result(correct: 0, episodes: 0) }
        precondition(model.observationSize == o && model.actionSize == a,
                     "TMazeMemoryProbe: model sizes \(model.observationSize), \(model.actionSize); data \(o), \(a)")
        func gather(_ field: (Episode) -> [Float], _ t: Int, _ width: Int) -> [Float] {
            episodes.flatMap { field($0)[(t * width)..<((t + 1) * width)] }
        }
        var state = model.initialState(batch: rows)
        let first = gather(\.observations, 0, o)
        first.withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
        for t in 0..<(episodeLength - 1) {
            let actions = gather(\.actions, t, a), next = gather(\.observations, t + 1, o)
            actions.withUnsafeBufferPointer { act in
                next.withUnsafeBufferPointer { model.observe(&state, action: act, observation: $0) }
            }
        }
        var prediction = WorldModelPrediction(observationSize: o)
        gather(\.actions, episodeLength - 1, a).withUnsafeBufferPointer {
            model.imagine(&state, actions: $0, into: &prediction, using: &generator)
        }
        precondition(prediction.rewards.count == rows, "TMazeMemoryProbe: the model predicts no rewards")
        var correct = 0
        for (r, episode) in episodes.enumerated() {
            let truth = episode.rewards[episodeLength - 1]
            if (prediction.rewards[r] > 0) == (truth > 0) { correct += 1 }
        }
        return Result(correct: correct, episodes: rows)
    }

    /// The standard memory test for a backbone: collects `trainEpisodes` and (independently)
    /// `testEpisodes` scripted episodes, trains a deterministic one-member `SequenceWorldModel`
    /// on the backbone with whole-episode windows (Adam `learningRate`, batches of `batchSize`,
    /// loss weights observation 1, reward 4, termination 1, no validation split; `warmupSteps` and
    /// `finalLearningRateScale` shape the rate as `LearningRateSchedule`), and returns
    /// the reward sign accuracy on the test episodes with the training report.
    /// `makeBackbone(inputSize, &generator)` builds the backbone; everything is seeded by `seed`.
    public func trainAndMeasure<Backbone: SequenceBackbone>(
        trainSteps: Int, seed: UInt64, trainEpisodes: Int = 200, testEpisodes: Int = 100, batchSize: Int = 32,
        learningRate: Float = 1e-2, warmupSteps: Int = 0, finalLearningRateScale: Float = 1, headHiddenSize: Int = 32,
        makeBackbone: (_ inputSize: Int, _ generator: inout SeededGenerator) throws -> Backbone
    ) throws -> (result: Result, report: SequenceTrainingReport) {
        var generator = SeededGenerator(seed: seed)
        let train = try collect(episodes: trainEpisodes, using: &generator)
        let test = try collect(episodes: testEpisodes, using: &generator)
        let model = try SequenceWorldModel(observationSize: train.observationSize, actionSize: train.actionSize,
                                           configuration: SequenceWorldModelConfiguration(deterministic: true, headHiddenSize: headHiddenSize),
                                           generator: &generator, makeBackbone: makeBackbone)
        var settings = SequenceTrainingConfiguration()
        settings.sequenceLength = episodeLength
        settings.sampling = .withinEpisode
        settings.batchSize = batchSize
        settings.trainSteps = trainSteps
        settings.learningRate = learningRate
        settings.warmupSteps = warmupSteps
        settings.finalLearningRateScale = finalLearningRateScale
        settings.validationRatio = 0
        settings.lossWeights = SequenceLossWeights(observation: 1, reward: 4, termination: 1)
        let report = try SequenceWorldModelTrainer(configuration: settings).train(model, on: train, using: &generator)
        return (rewardAccuracy(of: model, on: test, using: &generator), report)
    }
}
