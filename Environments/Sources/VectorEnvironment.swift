/// Steps `count` copies of an environment in lock-step with automatic reset
/// (Gymnasium 1.x's `SyncVectorEnv`), using the **same-step** autoreset mode
/// (`AutoresetMode.SAME_STEP`):
///
/// when copy `i` terminates or truncates at step `t`, it is reset within the same
/// call: `observations` row `i` is the *first observation of the new episode*,
/// `rewards[i]`, `terminated[i]`, `truncated[i]` belong to the step that ended the
/// old episode, and the old episode's last observation and info are returned in
/// `finalObservations[i]` and `finalInfos[i]` (Gymnasium's `info["final_obs"]` /
/// `info["final_info"]`, formerly `final_observation`). `infos[i]` is then the
/// reset's info. For copies that did not finish, `finalObservations[i]` is `nil`.
/// So a replay buffer stores `(obs, action, reward, finalObservation ?? nextObs,
/// terminated)` and never needs the next-step convention's dummy transition.
///
/// `reset(seed: s)` seeds copy `i` with `s + i` (as Gymnasium does with an int seed);
/// later autoresets continue each copy's own generator. Observations are returned
/// flat, row-major `[count × observationSize]`.
/// Cost: `count` environment steps per call, plus the result arrays (allocated per call).
public struct VectorEnvironment<Env: Environment> {
    public private(set) var environments: [Env]
    public let observationSize: Int

    /// The result of stepping every copy once.
    public struct StepResults {
        /// `[count × observationSize]`, row-major; a finished copy's row is its reset observation.
        public var observations: [Float]
        public var rewards: [Double]
        public var terminated: [Bool]
        public var truncated: [Bool]
        public var infos: [Info]
        /// The last observation of each episode that ended in this step (`nil` otherwise).
        public var finalObservations: [[Float]?]
        /// The last info of each episode that ended in this step (`nil` otherwise).
        public var finalInfos: [Info?]
    }

    /// `count` copies made by `make(i)`; all must share observation and action spaces.
    public init(count: Int, make: (Int) throws -> Env) throws {
        guard count >= 1 else { throw EnvironmentError.invalid("VectorEnvironment: count must be >= 1, got \(count)") }
        var envs: [Env] = []
        for i in 0..<count { envs.append(try make(i)) }
        for env in envs.dropFirst() where env.observationSpace != envs[0].observationSpace || env.actionSpace != envs[0].actionSpace {
            throw EnvironmentError.invalid("VectorEnvironment: copies have different spaces (\(env.observationSpace), \(env.actionSpace)) vs (\(envs[0].observationSpace), \(envs[0].actionSpace))")
        }
        environments = envs
        observationSize = envs[0].observationSpace.flatSize
    }

    public var count: Int { environments.count }
    public var observationSpace: Space { environments[0].observationSpace }
    public var actionSpace: Space { environments[0].actionSpace }

    /// Resets every copy; copy `i` gets seed `seed + i` (or continues its stream if `seed` is nil).
    /// Returns the flat observations and each copy's info.
    public mutating func reset(seed: UInt64? = nil) throws -> (observations: [Float], infos: [Info]) {
        var observations = [Float]()
        observations.reserveCapacity(count * observationSize)
        var infos: [Info] = []
        for i in 0..<count {
            let r = try environments[i].reset(seed: seed.map { $0 &+ UInt64(i) })
            observations.append(contentsOf: r.observation)
            infos.append(r.info)
        }
        return (observations, infos)
    }

    /// Steps copy `i` with `actions[i]`, resetting finished copies in the same step.
    public mutating func step(_ actions: [Action]) throws -> StepResults {
        guard actions.count == count else {
            throw EnvironmentError.invalid("VectorEnvironment.step: got \(actions.count) actions for \(count) environments")
        }
        var out = StepResults(observations: [], rewards: [], terminated: [], truncated: [], infos: [],
                              finalObservations: [], finalInfos: [])
        out.observations.reserveCapacity(count * observationSize)
        for i in 0..<count {
            let r = try environments[i].step(actions[i])
            out.rewards.append(r.reward)
            out.terminated.append(r.terminated)
            out.truncated.append(r.truncated)
            if r.done {
                let reset = try environments[i].reset(seed: nil)
                out.observations.append(contentsOf: reset.observation)
                out.infos.append(reset.info)
                out.finalObservations.append(r.observation)
                out.finalInfos.append(r.info)
            } else {
                out.observations.append(contentsOf: r.observation)
                out.infos.append(r.info)
                out.finalObservations.append(nil)
                out.finalInfos.append(nil)
            }
        }
        return out
    }
}
