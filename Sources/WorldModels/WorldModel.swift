import SeededRandom

/// A learned (or true) model of an environment's dynamics, used recurrently for
/// imagination with an explicit, batched state.
///
/// Rows are independent imagined trajectories (candidates × particles for a
/// planner). The state is the model's summary of the past for every row: the
/// last observation for a feed-forward ensemble, a hidden state for a GRU or
/// SSM, a key/value cache for a transformer.
///
/// - `initialState(batch:)` makes a state for `batch` rows before anything is observed;
/// - `observe(_:action:observation:)` tells every row that it took `action`
///   (nil at the start of an episode) and then saw `observation`: a recurrent
///   model consumes its pending observation with the action and keeps the new
///   observation pending; a feed-forward ensemble just keeps the observation;
/// - `replicated(_:candidates:particles:)` turns a one-row state into
///   `candidates × particles` identical rows (the planner's starting point),
///   laid out particle-major: row `p · candidates + c` is particle `p` of
///   candidate `c`, so an ensemble can tie particle `p` to member `p mod E`
///   (PETS's TS-∞) with each member's rows in contiguous blocks;
/// - `imagine(_:actions:into:using:)` predicts one step for every row and
///   advances the state to the predicted next observation;
/// - `rolloutState(_:reportingMembers:)` turns an observed state into one for
///   model rollouts (Dyna, MBPO, offline RL; `ModelEnvironment`): each
///   `imagine` step gives every row the sample of a uniformly random elite
///   member (MBPO's propagation; mbrl-lib's `random_model`) and, when asked,
///   reports every member's prediction in the `WorldModelPrediction` (for
///   uncertainty penalties).
///
/// Imagination runs the no-grad path; a model writes into the caller's
/// `WorldModelPrediction` so planners allocate nothing per step.
public protocol WorldModel: AnyObject {
    associatedtype State

    /// Floats in an observation.
    var observationSize: Int { get }
    /// Floats in an action.
    var actionSize: Int { get }

    /// A state for `batch` rows with nothing observed yet.
    func initialState(batch: Int) -> State

    /// Conditions every row of `state` on a real step: the rows took `action`
    /// (`[rows, actionSize]`, nil at the start of an episode) and then saw
    /// `observation` (`[rows, observationSize]`).
    func observe(_ state: inout State, action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>)

    /// A state of `candidates × particles` rows (particle-major), each a copy of the one-row `state`.
    func replicated(_ state: State, candidates: Int, particles: Int) -> State

    /// Predicts one step for every row under `actions` (`[rows, actionSize]`),
    /// writes it into `prediction` (resized as needed), and advances `state`.
    func imagine(_ state: inout State, actions: UnsafeBufferPointer<Float>,
                 into prediction: inout WorldModelPrediction, using generator: inout SeededGenerator)

    /// The rows of `state` (from `initialState` and `observe`) set up for model
    /// rollouts: every `imagine` samples each row's next observation from a
    /// uniformly random elite member, drawn afresh each step, and with
    /// `reportingMembers` fills the prediction's `member…` arrays with every
    /// member's prediction for every row (which may cost a forward pass of
    /// every member over every row).
    func rolloutState(_ state: State, reportingMembers: Bool) -> State

    /// Members whose predictions a rollout state reports (1 for a single model).
    var ensembleSize: Int { get }
}

/// One imagined step for a batch of rows (row-major flat arrays).
public struct WorldModelPrediction: Sendable {
    /// Rows in this prediction.
    public private(set) var rows: Int = 0
    public let observationSize: Int
    /// The next observation each row moves to (a sample, or the mean), `[rows, observationSize]`.
    public var nextObservations: [Float] = []
    /// Predicted standard deviation of the next observation where the model is
    /// probabilistic (`[rows, observationSize]`), empty otherwise.
    public var nextObservationStd: [Float] = []
    /// Reward for the transition, `[rows]` (empty if the model does not predict rewards).
    public var rewards: [Float] = []
    /// Whether the transition ended the episode (terminated), `[rows]` (empty if not predicted).
    public var terminated: [Bool] = []
    /// Members reported in the `member…` arrays (0 unless a rollout state asked for them).
    public private(set) var members = 0
    /// Every member's mean next observation, `[members, rows, observationSize]`.
    public var memberNextObservationMeans: [Float] = []
    /// Every member's next-observation std, `[members, rows, observationSize]` (empty for deterministic members).
    public var memberNextObservationStds: [Float] = []
    /// Every member's reward, `[members, rows]` (empty if the model does not predict rewards).
    public var memberRewards: [Float] = []

    public init(observationSize: Int) { self.observationSize = observationSize }

    /// Sizes the buffers for `rows` rows, reusing their storage.
    public mutating func resize(rows: Int, predictsStd: Bool, predictsReward: Bool, predictsTermination: Bool) {
        self.rows = rows
        func fit<T>(_ array: inout [T], _ count: Int, _ zero: T) {
            if array.count != count { array = [T](repeating: zero, count: count) }
        }
        fit(&nextObservations, rows * observationSize, 0)
        fit(&nextObservationStd, predictsStd ? rows * observationSize : 0, 0)
        fit(&rewards, predictsReward ? rows : 0, 0)
        fit(&terminated, predictsTermination ? rows : 0, false)
        members = 0
    }

    /// Sizes the `member…` buffers for `members` members over the current rows, reusing their storage.
    public mutating func resizeMembers(_ members: Int, predictsStd: Bool, predictsReward: Bool) {
        self.members = members
        func fit(_ array: inout [Float], _ count: Int) {
            if array.count != count { array = [Float](repeating: 0, count: count) }
        }
        fit(&memberNextObservationMeans, members * rows * observationSize)
        fit(&memberNextObservationStds, predictsStd ? members * rows * observationSize : 0)
        fit(&memberRewards, predictsReward ? members * rows : 0)
    }
}
