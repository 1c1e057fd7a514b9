import SeededRandom

/// A tabular maze with compass moves: the agent occupies one cell of a grid
/// and moves up, right, down or left. Built for tabular methods — Q-learning,
/// Dyna-Q, Dyna-Q+ — and shaped after Sutton & Barto's (2nd ed.) Dyna maze
/// (Example 8.1, Figure 8.2; `GridMaze.dynaMaze()`, registered as
/// `DynaMaze-v0`), with Gymnasium's toy-text conventions (FrozenLake,
/// CliffWalking) for the encodings.
///
/// **Layout**: a `GridMap` (the text format of `Environments/maps/README.md`)
/// whose outer border is walls, as every map file must be. The maze is the
/// map *inside* that border: `rows = map.height − 2` by `columns = map.width − 2`
/// cells, row 0 on top, column 0 on the left. Inside it only floor (`.`), wall
/// (`#`), goal (`G`, at least one) and the start (`S`, or an arrow whose
/// heading is ignored) may appear; other map characters are errors.
///
/// **Observations** (`Discrete(rows · columns)`): one float, the index
/// `row · columns + column` of the agent's cell in the maze (the border is
/// not counted), as FrozenLake and CliffWalking encode theirs. Interior wall
/// cells have indices too; the agent is never on one. For the Dyna maze,
/// `Discrete(54)`, start 18 (row 2, column 0), goal 8 (row 0, column 8).
///
/// **Actions** (`Discrete(4)`, CliffWalking's numbering): `0` up, `1` right,
/// `2` down, `3` left. Deterministic: a move into a wall or off the maze
/// leaves the agent where it is (and takes a step).
///
/// **Slip** (`slip`, default 0): with probability `slip` the action is
/// replaced by one drawn uniformly from the 4 (possibly the same), as
/// `GridWorld` slips; `info["slipped"]` says so. With `slip` 0 no random
/// number is drawn and `info` is empty.
///
/// **Rewards and ends**: entering a goal gives +1 and terminates the episode;
/// every other transition gives 0 (the book's Dyna maze). The next episode
/// starts at the start cell. After `maxSteps` steps a non-terminated episode
/// is truncated; `maxSteps` 0 (the default) never truncates, as the book's
/// episodes are unbounded (a random walk in the Dyna maze needs hundreds to a
/// few thousand steps to reach the goal).
///
/// **Simulator state** (`SimulatorStateSettable`, FrozenLake's `env.unwrapped.s`):
/// `[cell index]`; setting it places the agent on a floor cell and starts an
/// episode there.
///
/// Costs: `step` is O(1). `snapshot()` copies the whole value (position,
/// step counter, episode phase, generator, configuration); `restore(_:)`
/// accepts only a snapshot of a maze with the same configuration.
public struct GridMaze: Environment, SimulatorStateSettable {
    /// The actions, as `Action.discrete(rawValue)` (Gymnasium CliffWalking's numbering).
    public enum Move: Int, Hashable, Sendable, CaseIterable {
        case up = 0, right, down, left

        /// The change of (row, column) of one move; rows grow downwards.
        public var delta: (row: Int, column: Int) {
            switch self {
            case .up: return (-1, 0)
            case .right: return (0, 1)
            case .down: return (1, 0)
            case .left: return (0, -1)
            }
        }
    }

    /// Everything fixed for the environment's lifetime.
    public struct Configuration: Hashable, Sendable {
        /// Names the environment in errors (e.g. "DynaMaze-v0").
        public var name: String
        /// The layout, wall border included (see the type's documentation).
        public var map: GridMap
        /// Probability that an action is replaced by a uniformly random one, in [0, 1].
        public var slip: Double
        /// Steps before truncation; 0 = never truncate.
        public var maxSteps: Int

        public init(name: String, map: GridMap, slip: Double = 0, maxSteps: Int = 0) {
            self.name = name
            self.map = map
            self.slip = slip
            self.maxSteps = maxSteps
        }
    }

    public let configuration: Configuration
    /// Rows of the maze (the map's height without its border).
    public let rows: Int
    /// Columns of the maze (the map's width without its border).
    public let columns: Int
    public let observationSpace: Space
    public let actionSpace: Space = .discrete(Discrete(Move.allCases.count))

    /// The agent's row in the maze (0 on top).
    public private(set) var row: Int
    /// The agent's column in the maze (0 on the left).
    public private(set) var column: Int
    /// Steps taken in the current episode.
    public private(set) var steps = 0
    var phase = EpisodePhase.needsReset
    var generator: SeededGenerator

    /// A maze; `seed` seeds the generator used until `reset(seed:)` gives another.
    /// A map with other cells than floor, wall and goal, or without a goal, a
    /// slip outside [0, 1] and a negative `maxSteps` are errors naming the maze.
    public init(_ configuration: Configuration, seed: UInt64 = 0) throws {
        let name = configuration.name, map = configuration.map
        // Parsed maps already satisfy these; maps built in code may not.
        guard map.width >= 3, map.height >= 3,
              (0..<map.width).allSatisfy({ map[$0, 0] == .wall && map[$0, map.height - 1] == .wall }),
              (0..<map.height).allSatisfy({ map[0, $0] == .wall && map[map.width - 1, $0] == .wall }) else {
            throw EnvironmentError.invalid("\(name): a maze map needs a wall border around at least one cell (\(map.width)x\(map.height) given)")
        }
        guard map.contains(x: map.start.x, y: map.start.y), map[map.start.x, map.start.y] == .floor else {
            throw EnvironmentError.invalid("\(name): the start (\(map.start.x), \(map.start.y)) must be a floor cell of the map")
        }
        for y in 1..<(map.height - 1) {
            for x in 1..<(map.width - 1) where ![.floor, .wall, .goal].contains(map[x, y]) {
                throw EnvironmentError.invalid("\(name): map cell at line \(y + 1), column \(x + 1) is '\(map[x, y].character)'; a maze holds only '#' wall, '.' floor, 'G' goal and the start 'S'")
            }
        }
        guard map.cells.contains(.goal) else {
            throw EnvironmentError.invalid("\(name): the map has no goal 'G'; a maze needs at least one")
        }
        guard configuration.slip >= 0, configuration.slip <= 1 else {
            throw EnvironmentError.invalid("\(name): slip must be a probability in [0, 1], got \(configuration.slip)")
        }
        guard configuration.maxSteps >= 0 else {
            throw EnvironmentError.invalid("\(name): max steps must be >= 0 (0 = no limit), got \(configuration.maxSteps)")
        }
        self.configuration = configuration
        rows = map.height - 2
        columns = map.width - 2
        row = map.start.y - 1
        column = map.start.x - 1
        observationSpace = .discrete(Discrete(rows * columns))
        generator = SeededGenerator(seed: seed)
    }

    /// Sutton & Barto's Dyna maze (Example 8.1, Figure 8.2): 6 × 9, start at
    /// row 2, column 0, goal at row 0, column 8, obstacles at (1, 2), (2, 2),
    /// (3, 2), (0, 7), (1, 7), (2, 7), (4, 5); `maps/dyna-maze.txt`.
    public static func dynaMaze(slip: Double = 0, maxSteps: Int = 0, name: String = "DynaMaze-v0",
                                seed: UInt64 = 0) throws -> GridMaze {
        let map = try BuiltinGridMaps.map("dyna-maze.txt")
        return try GridMaze(Configuration(name: name, map: map, slip: slip, maxSteps: maxSteps), seed: seed)
    }

    // MARK: - Cells

    /// The observation index of the cell at (`row`, `column`) of the maze.
    public func cellIndex(row: Int, column: Int) -> Int { row * columns + column }

    /// The (row, column) of observation index `index`.
    public func position(ofCell index: Int) -> (row: Int, column: Int) { (index / columns, index % columns) }

    /// The cell at (`row`, `column`) of the maze; outside the maze, a wall.
    public func cell(row: Int, column: Int) -> GridCell {
        guard row >= 0, column >= 0, row < rows, column < columns else { return .wall }
        return configuration.map[column + 1, row + 1]
    }

    /// The observation index of the agent's cell.
    public var currentCell: Int { cellIndex(row: row, column: column) }

    /// The observation index of the start cell.
    public var startCell: Int { cellIndex(row: configuration.map.start.y - 1, column: configuration.map.start.x - 1) }

    /// The observation indices of the goal cells, ascending.
    public var goalCells: [Int] {
        (0..<(rows * columns)).filter { let p = position(ofCell: $0); return cell(row: p.row, column: p.column) == .goal }
    }

    // MARK: - Environment

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        row = configuration.map.start.y - 1
        column = configuration.map.start.x - 1
        steps = 0
        phase = .running
        return ResetResult(observation: [Float(currentCell)])
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        guard case .discrete(let index) = action, let chosen = Move(rawValue: index) else {
            throw EnvironmentError.actionOutOfSpace(environment: configuration.name, action: action.description,
                                                    space: "\(actionSpace) (0 up, 1 right, 2 down, 3 left)")
        }
        guard phase == .running else { throw EnvironmentError.needsReset(environment: configuration.name) }
        var move = chosen
        var info: Info = [:]
        if configuration.slip > 0 {
            let slipped = generator.uniformDouble() < configuration.slip
            if slipped { move = Move(rawValue: Int(generator.next(upperBound: UInt64(Move.allCases.count))))! }
            info["slipped"] = .bool(slipped)
        }
        steps += 1
        let (dRow, dColumn) = move.delta
        let target = cell(row: row + dRow, column: column + dColumn)
        if target != .wall {
            row += dRow
            column += dColumn
        }
        let terminated = target == .goal
        let truncated = !terminated && configuration.maxSteps > 0 && steps >= configuration.maxSteps
        if terminated || truncated { phase = .needsReset }
        return StepResult(observation: [Float(currentCell)], reward: terminated ? 1 : 0, terminated: terminated,
                          truncated: truncated, info: info)
    }

    public func snapshot() -> EnvironmentSnapshot? { EnvironmentSnapshot(self) }

    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        let restored = try snapshot.value(as: GridMaze.self, environment: configuration.name)
        guard restored.configuration == configuration else {
            throw EnvironmentError.invalidSnapshot(environment: configuration.name,
                                                   expected: "'\(configuration.name)' with the same map, slip and max steps",
                                                   got: "one of '\(restored.configuration.name)' configured differently")
        }
        self = restored
    }

    // MARK: - Simulator state

    /// `[index of the agent's cell]`.
    public var simulatorState: [Double] { [Double(currentCell)] }

    /// Places the agent on the cell `[index]` (a floor cell: not a wall, not a
    /// goal) and starts an episode there (step counter 0, generator untouched).
    @discardableResult
    public mutating func setSimulatorState(_ state: [Double]) throws -> [Float] {
        try checkStateVector(state, count: 1, environment: configuration.name)
        let value = state[0]
        guard value == value.rounded(), value >= 0, value < Double(rows * columns) else {
            throw EnvironmentError.invalid("\(configuration.name): simulator state must be a cell index in 0..<\(rows * columns), got \(value)")
        }
        let position = position(ofCell: Int(value))
        let target = cell(row: position.row, column: position.column)
        guard target == .floor else {
            throw EnvironmentError.invalid("\(configuration.name): cell \(Int(value)) (row \(position.row), column \(position.column)) is a \(target == .goal ? "goal (terminal)" : "wall"); the agent can only be placed on floor")
        }
        (row, column) = position
        steps = 0
        phase = .running
        return [Float(currentCell)]
    }

    // MARK: - Rendering

    /// The maze as text in the map characters, the agent drawn as `A`, then
    /// one status line (`step 3, running`).
    public func render() -> String {
        var out = ""
        let map = configuration.map
        for y in 0..<map.height {
            for x in 0..<map.width {
                out.append(x == column + 1 && y == row + 1 ? "A" : map[x, y].character)
            }
            out.append("\n")
        }
        out += "step \(steps), \(phase == .running ? "running" : "needs reset")\n"
        return out
    }
}
