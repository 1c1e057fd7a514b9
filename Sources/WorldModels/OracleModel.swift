import Environments
import SeededRandom

/// The true environment behind the `WorldModel` protocol: every row is a
/// snapshot of the simulator, and imagining a step restores the row's snapshot,
/// steps the environment and snapshots it again. A planner run on this model
/// plans on perfect dynamics — the reference point for learned models.
///
/// Requires an environment that supports `snapshot()`/`restore(_:)`. Rows
/// that have terminated stay where they are, with reward 0 and `terminated`
/// set. Cost per step: one restore + step + snapshot per row, sequential.
public final class OracleModel: WorldModel {
    /// One snapshot per row; a nil entry is a row that has terminated.
    public struct State {
        public var snapshots: [EnvironmentSnapshot?]
    }

    private var environment: any Environment
    public let observationSize: Int
    public let actionSize: Int
    public let encoding: ActionEncoding

    /// Wraps `environment`, which must support snapshots; it is used as the
    /// simulator and its current state is overwritten by imagination.
    public init(environment: any Environment) throws {
        guard environment.snapshot() != nil else {
            throw EnvironmentError.snapshotUnsupported(environment: String(describing: type(of: environment)))
        }
        self.environment = environment
        self.observationSize = environment.observationSpace.flatSize
        self.encoding = ActionEncoding(space: environment.actionSpace)
        self.actionSize = encoding.size
    }

    /// A state for `batch` rows, all at the simulator's current state.
    public func initialState(batch: Int) -> State {
        State(snapshots: Array(repeating: environment.snapshot(), count: batch))
    }

    /// Over an environment whose observation determines its state
    /// (`StateFromObservation`: Pendulum, continuous CartPole), puts every row
    /// at the state behind its observation (a row whose observation is invalid
    /// ends, as a terminated one). Otherwise the oracle cannot set its
    /// simulator from an observation alone — use `state(from:)` with a
    /// snapshot of the real environment — and the rows stay as they are.
    public func observe(_ state: inout State, action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) {
        guard let settable = environment as? any StateFromObservation else { return }
        for r in 0..<state.snapshots.count {
            let row = Array(observation[(r * observationSize)..<((r + 1) * observationSize)])
            state.snapshots[r] = Self.snapshot(of: settable, at: row)
        }
    }

    /// Whether `observe` sets rows from observations (the environment is `StateFromObservation`).
    public var setsStateFromObservations: Bool { environment is any StateFromObservation }

    /// A snapshot of a copy of `environment` put into the state behind `observation`, or nil if it is invalid.
    private static func snapshot<E: StateFromObservation>(of environment: E, at observation: [Float]) -> EnvironmentSnapshot? {
        var copy = environment
        guard let simulatorState = try? copy.simulatorState(forObservation: observation),
              (try? copy.setSimulatorState(simulatorState)) != nil else { return nil }
        return copy.snapshot()
    }

    /// A one-row state at the given snapshot of the real environment.
    public func state(from snapshot: EnvironmentSnapshot) -> State {
        State(snapshots: [snapshot])
    }

    /// The true dynamics have no members to sample from: rows step as they are.
    public func rolloutState(_ state: State, reportingMembers: Bool) -> State { state }

    public var ensembleSize: Int { 1 }

    public func replicated(_ state: State, candidates: Int, particles: Int) -> State {
        State(snapshots: Array(repeating: state.snapshots[0], count: candidates * particles))
    }

    public func imagine(_ state: inout State, actions: UnsafeBufferPointer<Float>,
                        into prediction: inout WorldModelPrediction, using generator: inout SeededGenerator) {
        let rows = state.snapshots.count
        prediction.resize(rows: rows, predictsStd: false, predictsReward: true, predictsTermination: true)
        for r in 0..<rows {
            let row = UnsafeBufferPointer(rebasing: actions[(r * actionSize)..<((r + 1) * actionSize)])
            guard let snapshot = state.snapshots[r],
                  (try? environment.restore(snapshot)) != nil,
                  let step = try? environment.step(encoding.action(row)) else {
                prediction.rewards[r] = 0
                prediction.terminated[r] = true
                state.snapshots[r] = nil
                continue
            }
            for i in 0..<observationSize { prediction.nextObservations[r * observationSize + i] = step.observation[i] }
            prediction.rewards[r] = Float(step.reward)
            prediction.terminated[r] = step.terminated
            state.snapshots[r] = step.terminated ? nil : environment.snapshot()
        }
    }
}
