import SeededRandom

/// A small symbolic gridworld in the style of MiniGrid (Chevalier-Boisvert et
/// al., 2018): an agent with a position and a heading moves on a grid of
/// `GridCell`s, picks up a key, opens a locked door, reaches a goal, and may
/// have to remember a cue (the T-maze of Bakker, 2002). Layouts come from
/// `GridMap`s (text files, see `Environments/maps/README.md`) or from
/// `GridWorld.tMaze(corridorLength:)`.
///
/// **Actions** (`Discrete(5)`, MiniGrid's numbering for the first four):
/// `0` turn left, `1` turn right, `2` move forward (into a passable cell),
/// `3` pick up the key in front, `4` toggle: open the locked door in front
/// when carrying the key. Actions that do nothing here (forward into a wall,
/// pick up with no key in front) still take a step.
///
/// **Start**: the map's start cell and heading, or with `randomStart` a
/// uniformly random floor cell and heading drawn at each reset.
///
/// **Slip**: with probability `slip` the action is replaced by one drawn
/// uniformly from the 5 actions (possibly the same); `info["slipped"]` says so.
///
/// **Rewards and ends**: entering a goal `G` gives +1 and terminates; lava `L`
/// terminates with 0; a T-maze arm end terminates with +1 when the arm
/// matches the cue and `wrongArmReward` otherwise; every other step gives 0.
/// After `maxSteps` steps a non-terminated episode is truncated.
/// `info["success"]` is set on termination.
///
/// **Observations** (`observation: full | partial`, all floats are cell codes
/// or small integers, see `GridCell` for the codes):
/// - `full`: `Box(shape: [height*width + 4])`: the grid's cell codes, row-major
///   from the top-left, then agent `x`, agent `y`, heading (0 east, 1 south,
///   2 west, 3 north) and carrying (0/1). The agent itself is not drawn in the grid.
/// - `partial`: `Box(shape: [k*k + 2])` for `viewSize` k (odd): an egocentric
///   k×k window, row-major, the agent at the middle of the bottom row looking
///   "up" (row 0 is the farthest row ahead; column order is left to right from
///   the agent's point of view); cells off the grid read as walls; no
///   occlusion. Then heading and carrying.
///
/// **Memory T-maze**: the cue (`u` up / `d` down) sits on the cell in front of
/// the start and is drawn uniformly at each reset; it is visible only in the
/// first observation (after the first step it becomes floor), so acting well
/// at the junction needs memory.
///
/// Costs: `step` is O(1) plus O(observation size) to build the observation.
/// `snapshot()` copies the full `State` (grid, agent, counters, generator).
public struct GridWorld: Environment {
    /// How observations are encoded.
    public enum ObservationKind: String, Hashable, Sendable, CaseIterable {
        case full, partial
    }

    /// The actions, as `Action.discrete(rawValue)`.
    public enum Move: Int, Hashable, Sendable, CaseIterable {
        case turnLeft = 0, turnRight, forward, pickUp, toggle
    }

    /// Everything fixed for the environment's lifetime.
    public struct Configuration: Hashable, Sendable {
        /// Names the environment in errors and rendering (e.g. "GridWorld-Empty-v0").
        public var name: String
        public var map: GridMap
        public var observation: ObservationKind = .full
        /// Side of the partial view (odd, >= 3).
        public var viewSize: Int = 5
        /// Steps before truncation (> 0).
        public var maxSteps: Int
        /// Probability that an action is replaced by a uniformly random one, in [0, 1].
        public var slip: Double = 0
        /// For the T-maze: the cell holding the cue, and the two arm ends.
        public var tMaze: TMazeLayout?
        /// Reward for entering the wrong T-maze arm.
        public var wrongArmReward: Double = -1
        /// Start each episode on a uniformly random floor cell with a random
        /// heading instead of the map's start (MiniGrid's random-start variants).
        public var randomStart: Bool = false

        public init(name: String, map: GridMap, observation: ObservationKind = .full, viewSize: Int = 5,
                    maxSteps: Int? = nil, slip: Double = 0, tMaze: TMazeLayout? = nil, wrongArmReward: Double = -1,
                    randomStart: Bool = false) {
            self.name = name
            self.map = map
            self.observation = observation
            self.viewSize = viewSize
            self.maxSteps = maxSteps ?? 4 * (map.width + map.height)
            self.slip = slip
            self.tMaze = tMaze
            self.wrongArmReward = wrongArmReward
            self.randomStart = randomStart
        }
    }

    /// Where the T-maze's cue and arm ends are.
    public struct TMazeLayout: Hashable, Sendable {
        public var cueX: Int, cueY: Int
        public var upArmX: Int, upArmY: Int
        public var downArmX: Int, downArmY: Int
    }

    /// The full mutable state (what `snapshot()` copies).
    public struct State: Hashable, Sendable {
        public var grid: GridMap
        public var x: Int
        public var y: Int
        public var direction: GridDirection
        public var carrying: Bool
        public var steps: Int
        /// `nil` before the first reset; `true` once terminated or truncated.
        public var ended: Bool?
        /// The T-maze cue of this episode (`.cueUp` / `.cueDown`).
        public var cue: GridCell?
        public var generator: SeededGenerator
    }

    public let configuration: Configuration
    public private(set) var state: State
    public let observationSpace: Space
    public let actionSpace: Space = .discrete(Discrete(Move.allCases.count))

    /// A gridworld; `seed` seeds the generator used until `reset(seed:)` gives another.
    /// Invalid configurations (even view size, slip outside [0, 1]) are errors.
    public init(_ configuration: Configuration, seed: UInt64 = 0) throws {
        let name = configuration.name
        guard configuration.viewSize >= 3, configuration.viewSize % 2 == 1 else {
            throw EnvironmentError.invalid("\(name): view size must be an odd integer >= 3, got \(configuration.viewSize)")
        }
        guard configuration.slip >= 0, configuration.slip <= 1 else {
            throw EnvironmentError.invalid("\(name): slip must be a probability in [0, 1], got \(configuration.slip)")
        }
        guard !(configuration.randomStart && configuration.tMaze != nil) else {
            throw EnvironmentError.invalid("\(name): random start is not available in the T-maze (the start must face the cue)")
        }
        guard configuration.maxSteps > 0 else {
            throw EnvironmentError.invalid("\(name): max steps must be positive, got \(configuration.maxSteps)")
        }
        self.configuration = configuration
        let map = configuration.map
        state = State(grid: map, x: map.start.x, y: map.start.y, direction: map.startDirection, carrying: false,
                      steps: 0, ended: nil, cue: nil, generator: SeededGenerator(seed: seed))
        switch configuration.observation {
        case .full:
            let n = map.width * map.height
            let high = Array(repeating: GridCell.maxCode, count: n)
                + [Float(map.width - 1), Float(map.height - 1), 3, 1]
            observationSpace = .box(Box(low: Array(repeating: 0, count: n + 4), high: high))
        case .partial:
            let n = configuration.viewSize * configuration.viewSize
            let high = Array(repeating: GridCell.maxCode, count: n) + [3, 1]
            observationSpace = .box(Box(low: Array(repeating: 0, count: n + 2), high: high))
        }
    }

    // MARK: - Environment

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { state.generator = SeededGenerator(seed: seed) }
        let map = configuration.map
        state.grid = map
        state.x = map.start.x
        state.y = map.start.y
        state.direction = map.startDirection
        state.carrying = false
        state.steps = 0
        state.ended = false
        state.cue = nil
        if configuration.randomStart {
            let floors = map.cells.indices.filter { map.cells[$0] == .floor }
            let cell = floors[Int(state.generator.next(upperBound: UInt64(floors.count)))]
            state.x = cell % map.width
            state.y = cell / map.width
            state.direction = GridDirection(rawValue: Int(state.generator.next(upperBound: UInt64(4))))!
        }
        if let t = configuration.tMaze {
            let cue: GridCell = state.generator.next(upperBound: UInt64(2)) == 0 ? .cueUp : .cueDown
            state.cue = cue
            state.grid[t.cueX, t.cueY] = cue
        }
        return ResetResult(observation: observation(), info: [:])
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        guard state.ended == false else { throw EnvironmentError.needsReset(environment: configuration.name) }
        guard case .discrete(let index) = action, let chosen = Move(rawValue: index) else {
            throw EnvironmentError.actionOutOfSpace(environment: configuration.name, action: action.description,
                                                    space: "\(actionSpace) (0 left, 1 right, 2 forward, 3 pick up, 4 toggle)")
        }
        var move = chosen
        var info: Info = [:]
        if configuration.slip > 0 {
            let slipped = state.generator.uniformDouble() < configuration.slip
            if slipped {
                move = Move(rawValue: Int(state.generator.next(upperBound: UInt64(Move.allCases.count))))!
            }
            info["slipped"] = .bool(slipped)
        }
        state.steps += 1
        var reward = 0.0
        var terminated = false
        let (dx, dy) = state.direction.delta
        let fx = state.x + dx, fy = state.y + dy
        let front: GridCell = state.grid.contains(x: fx, y: fy) ? state.grid[fx, fy] : .wall
        switch move {
        case .turnLeft: state.direction = state.direction.turnedLeft
        case .turnRight: state.direction = state.direction.turnedRight
        case .forward:
            if front.isPassable {
                state.x = fx
                state.y = fy
                switch front {
                case .goal:
                    reward = 1
                    terminated = true
                    info["success"] = .bool(true)
                case .lava:
                    terminated = true
                    info["success"] = .bool(false)
                case .armEnd:
                    let up = configuration.tMaze.map { $0.upArmX == fx && $0.upArmY == fy } ?? false
                    let correct = up == (state.cue == .cueUp)
                    reward = correct ? 1 : configuration.wrongArmReward
                    terminated = true
                    info["success"] = .bool(correct)
                default: break
                }
            }
        case .pickUp:
            if front == .key && !state.carrying {
                state.carrying = true
                state.grid[fx, fy] = .floor
            }
        case .toggle:
            if front == .lockedDoor && state.carrying { state.grid[fx, fy] = .openDoor }
        }
        // The T-maze cue is shown in the first observation only.
        if let t = configuration.tMaze, state.steps == 1 { state.grid[t.cueX, t.cueY] = .floor }
        let truncated = !terminated && state.steps >= configuration.maxSteps
        state.ended = terminated || truncated
        info["steps"] = .int(state.steps)
        return StepResult(observation: observation(), reward: reward, terminated: terminated,
                          truncated: truncated, info: info)
    }

    public func snapshot() -> EnvironmentSnapshot? { EnvironmentSnapshot(state) }

    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        let restored = try snapshot.value(as: State.self, environment: configuration.name)
        let map = configuration.map
        guard restored.grid.width == map.width, restored.grid.height == map.height else {
            throw EnvironmentError.invalidSnapshot(environment: configuration.name,
                                                   expected: "a GridWorld state of a \(map.width)x\(map.height) grid",
                                                   got: "a state of a \(restored.grid.width)x\(restored.grid.height) grid")
        }
        state = restored
    }

    // MARK: - Observation

    /// The current observation (see the type's documentation for the layout).
    public func observation() -> [Float] {
        let grid = state.grid
        var out: [Float] = []
        switch configuration.observation {
        case .full:
            out.reserveCapacity(grid.cells.count + 4)
            for cell in grid.cells { out.append(Float(cell.rawValue)) }
            out.append(Float(state.x))
            out.append(Float(state.y))
        case .partial:
            let k = configuration.viewSize
            out.reserveCapacity(k * k + 2)
            let forward = state.direction.delta
            let right = state.direction.turnedRight.delta
            for row in 0..<k {
                let ahead = k - 1 - row
                for column in 0..<k {
                    let side = column - k / 2
                    let x = state.x + ahead * forward.dx + side * right.dx
                    let y = state.y + ahead * forward.dy + side * right.dy
                    let cell: GridCell = grid.contains(x: x, y: y) ? grid[x, y] : .wall
                    out.append(Float(cell.rawValue))
                }
            }
        }
        out.append(Float(state.direction.rawValue))
        out.append(state.carrying ? 1 : 0)
        return out
    }
}
