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
///   advances the state to the predicted next observation.
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
    }
}
