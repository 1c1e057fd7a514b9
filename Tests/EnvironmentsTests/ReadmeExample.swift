import Environments
import SeededRandom

/// A walk on the integers: action 1 steps right, 0 steps left; reaching +5 pays 1
/// and ends the episode, reaching -5 ends it with nothing.
struct LineWalk: Environment {
    static let id = "LineWalk-v0"
    var position = 0
    var generator = SeededGenerator(seed: 0)
    var running = false

    var observationSpace: Space { .box(Box(low: -5, high: 5, shape: [1])) }
    var actionSpace: Space { .discrete(Discrete(2)) }

    mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        position = Int(generator.next(upperBound: UInt64(5))) - 2  // start in -2...2
        running = true
        return ResetResult(observation: [Float(position)])
    }

    mutating func step(_ action: Action) throws -> StepResult {
        guard case .discrete(let a) = action, actionSpace.contains(action) else {
            throw EnvironmentError.actionOutOfSpace(environment: Self.id, action: action.description,
                                                    space: actionSpace.description)
        }
        guard running else { throw EnvironmentError.needsReset(environment: Self.id) }
        position += a == 1 ? 1 : -1
        let terminated = abs(position) == 5
        if terminated { running = false }
        return StepResult(observation: [Float(position)], reward: position == 5 ? 1 : 0,
                          terminated: terminated, truncated: false)
    }

    // The whole value is the state (position, generator, phase), so a snapshot is a copy.
    func snapshot() -> EnvironmentSnapshot? { EnvironmentSnapshot(self) }

    mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        self = try snapshot.value(as: LineWalk.self, environment: Self.id)
    }
}

/// The built-in environments plus LineWalk-v0, with a `max_episode_steps` setting.
func registryWithLineWalk() -> EnvironmentRegistry {
    var registry = EnvironmentRegistry.builtin
    registry.register(EnvironmentSpec(
        id: LineWalk.id,
        summary: "Walk to +5 on a line; 1 at +5",
        settings: [SettingSpec("max_episode_steps", default: .int(50), "steps before truncation")]
    ) { settings in
        let steps = settings.int("max_episode_steps")
        guard steps > 0 else { throw settings.invalid("max_episode_steps", expected: "a positive integer") }
        return TimeLimit(LineWalk(), maxEpisodeSteps: steps)
    })
    return registry
}

/// Makes LineWalk-v0 by id, checks it, and walks right until the episode ends.
func walkRight() throws -> (checked: Bool, reward: Double, steps: Int) {
    let registry = registryWithLineWalk()
    let report = EnvironmentChecker(seed: 0).check(id: LineWalk.id, registry: registry)
    var env = try registry.make(LineWalk.id, settings: ["max_episode_steps": .int(20)])
    _ = try env.reset(seed: 42)
    var total = 0.0, steps = 0
    while true {
        let result = try env.step(.discrete(1))
        total += result.reward
        steps += 1
        if result.done { break }
    }
    return (report.passed, total, steps)
}
