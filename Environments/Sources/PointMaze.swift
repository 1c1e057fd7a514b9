import Foundation
import SeededRandom

/// A point mass driven by continuous forces through a maze of unit cells, after
/// D4RL's `maze2d` and Gymnasium-Robotics' `PointMaze` (same layouts; own
/// MuJoCo-free dynamics).
///
/// - Layout: a grid of cells (`#` wall, `.` free, `S` start, `G` goal); cell `(row, col)`
///   covers `[col, col+1) × [row, row+1)`, so positions are in cell units.
///   `"umaze"` (5×5) and `"medium"` (8×8) are D4RL's `U_MAZE` and `MEDIUM_MAZE`.
/// - State: `[x, y, vx, vy]`. Observation (6, float32): `[x, y, vx, vy, goal_x, goal_y]`.
/// - Action: `Box(−1, 1, [2])`, a force. Dynamics per step (`dt = 0.1`):
///   `v ← clip(0.95 v + dt · 5 a, ±2)`, then `p ← p + dt · v` axis by axis; a move
///   that would bring the ball (radius 0.2) into a wall is cancelled on that axis
///   and that velocity component zeroed.
/// - Reward (setting `reward`): `"dense"` (default) is `−‖p − goal‖` every step;
///   `"sparse"` is `1` on the step that reaches the goal and `0` otherwise.
/// - Terminated when `‖p − goal‖ ≤ 0.45` (the goal is reached); the registry's
///   `TimeLimit` truncates after `max_episode_steps` (default 300).
/// - Reset: the ball at the start cell's centre plus `U[−0.1, 0.1)²`, at rest.
public struct PointMaze: Environment, SimulatorStateSettable, SnapshotByValue {
    public static let id = "PointMaze-v0"

    /// `dense`: `−‖p − goal‖` per step; `sparse`: `1` on reaching the goal, else `0`.
    public enum RewardKind: String, Sendable, CaseIterable { case dense, sparse }

    /// The named layouts.
    public static let layouts: [String: [String]] = [
        "umaze": ["#####",
                  "#G..#",
                  "###.#",
                  "#S..#",
                  "#####"],
        "medium": ["########",
                   "#S.##..#",
                   "#..#...#",
                   "##...###",
                   "#..#...#",
                   "#.#..#.#",
                   "#...#.G#",
                   "########"],
    ]

    /// Wall cells, `rows[r][c]` is true for a wall.
    public let rows: [[Bool]]
    /// `rows` flattened row-major, for the collision test.
    let walls: [Bool]
    public let start: (row: Int, col: Int)
    public let goal: (x: Double, y: Double)
    public var rewardKind: RewardKind
    public let dt = 0.1
    public let forceScale = 5.0
    public let velocityDecay = 0.95
    public let maxSpeed = 2.0
    public let radius = 0.2
    /// Distance to the goal's centre at which the goal is reached (the episode terminates).
    public static let goalRadius = 0.45

    /// `[x, y, vx, vy]`.
    public private(set) var state: (Double, Double, Double, Double) = (0, 0, 0, 0)
    var generator: SeededGenerator
    var phase = EpisodePhase.needsReset
    var observationBuffer = [Float](repeating: 0, count: 6)
    let actionBox = Box(low: -1, high: 1, shape: [2])

    /// A maze from a named layout or from rows of `#`, `.`, `S`, `G` (one `S`, one `G`,
    /// equal row lengths, walls all around); anything else is an error naming the problem.
    public init(layout: String = "umaze", reward: RewardKind = .dense, seed: UInt64 = 0) throws {
        let lines = Self.layouts[layout] ?? layout.split(separator: "\n").map(String.init)
        let grid = lines.map { Array($0) }
        guard let width = grid.first?.count, width >= 3, grid.count >= 3, grid.allSatisfy({ $0.count == width }) else {
            throw EnvironmentError.invalid("\(Self.id): layout '\(layout)' is neither \(Self.layouts.keys.sorted()) nor rows of equal length (at least 3×3)")
        }
        var start: (Int, Int)?, goal: (Int, Int)?
        for (r, row) in grid.enumerated() {
            for (c, ch) in row.enumerated() {
                switch ch {
                case "#", ".": break
                case "S": if start != nil { throw EnvironmentError.invalid("\(Self.id): layout has more than one 'S'") }; start = (r, c)
                case "G": if goal != nil { throw EnvironmentError.invalid("\(Self.id): layout has more than one 'G'") }; goal = (r, c)
                default: throw EnvironmentError.invalid("\(Self.id): layout character '\(ch)' at row \(r), column \(c); expected '#', '.', 'S' or 'G'")
                }
                let border = r == 0 || c == 0 || r == grid.count - 1 || c == width - 1
                if border && ch != "#" { throw EnvironmentError.invalid("\(Self.id): layout must be walled all around (row \(r), column \(c) is '\(ch)')") }
            }
        }
        guard let start, let goal else { throw EnvironmentError.invalid("\(Self.id): layout needs one 'S' and one 'G'") }
        rows = grid.map { $0.map { $0 == "#" } }
        walls = rows.flatMap { $0 }
        self.start = start
        self.goal = (Double(goal.1) + 0.5, Double(goal.0) + 0.5)
        rewardKind = reward
        generator = SeededGenerator(seed: seed)
    }

    public var height: Int { rows.count }
    public var width: Int { rows[0].count }

    public var observationSpace: Space {
        let w = Float(width), h = Float(height), v = Float(maxSpeed)
        return .box(Box(low: [0, 0, -v, -v, 0, 0], high: [w, h, v, v, w, h]))
    }

    public var actionSpace: Space { .box(actionBox) }

    /// Whether a ball centred at `(x, y)` overlaps a wall cell.
    public func collides(_ x: Double, _ y: Double) -> Bool {
        let c0 = Int((x - radius).rounded(.down)), c1 = Int((x + radius).rounded(.down))
        let r0 = Int((y - radius).rounded(.down)), r1 = Int((y + radius).rounded(.down))
        let height = rows.count, width = walls.count / height
        return walls.withUnsafeBufferPointer { w in
            for r in r0...r1 {
                for c in c0...c1 {
                    if r < 0 || c < 0 || r >= height || c >= width || w[r * width + c] { return true }
                }
            }
            return false
        }
    }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        state = (Double(start.col) + 0.5 + generator.uniform(-0.1, 0.1),
                 Double(start.row) + 0.5 + generator.uniform(-0.1, 0.1), 0, 0)
        phase = .running
        return ResetResult(observation: writeObservation())
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try boxVector(action, box: actionBox, environment: Self.id)
        guard phase == .running else { throw EnvironmentError.needsReset(environment: Self.id) }
        var (x, y, vx, vy) = state
        vx = min(max(velocityDecay * vx + dt * forceScale * Double(a[0]), -maxSpeed), maxSpeed)
        vy = min(max(velocityDecay * vy + dt * forceScale * Double(a[1]), -maxSpeed), maxSpeed)
        if collides(x + dt * vx, y) { vx = 0 } else { x += dt * vx }
        if collides(x, y + dt * vy) { vy = 0 } else { y += dt * vy }
        state = (x, y, vx, vy)
        let distance = ((x - goal.x) * (x - goal.x) + (y - goal.y) * (y - goal.y)).squareRoot()
        let terminated = distance <= Self.goalRadius
        if terminated { phase = .needsReset }
        let reward: Double
        switch rewardKind {
        case .dense: reward = -distance
        case .sparse: reward = terminated ? 1 : 0
        }
        return StepResult(observation: writeObservation(), reward: reward, terminated: terminated, truncated: false,
                          info: Info())
    }

    @inline(__always)
    mutating func writeObservation() -> [Float] {
        let s = state, g = goal
        observationBuffer.withUnsafeMutableBufferPointer { o in
            o[0] = Float(s.0); o[1] = Float(s.1); o[2] = Float(s.2); o[3] = Float(s.3)
            o[4] = Float(g.x); o[5] = Float(g.y)
        }
        return observationBuffer
    }

    public var simulatorState: [Double] { [state.0, state.1, state.2, state.3] }

    /// `[x, y, vx, vy]`; the ball must not overlap a wall and the speed must be within ±2.
    @discardableResult
    public mutating func setSimulatorState(_ s: [Double]) throws -> [Float] {
        try checkStateVector(s, count: 4, environment: Self.id)
        guard !collides(s[0], s[1]) else {
            throw EnvironmentError.invalid("\(Self.id): position (\(s[0]), \(s[1])) overlaps a wall")
        }
        guard abs(s[2]) <= maxSpeed, abs(s[3]) <= maxSpeed else {
            throw EnvironmentError.invalid("\(Self.id): velocity (\(s[2]), \(s[3])) exceeds the maximum speed \(maxSpeed)")
        }
        state = (s[0], s[1], s[2], s[3])
        phase = .running
        return writeObservation()
    }
}
