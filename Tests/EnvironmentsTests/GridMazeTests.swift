import XCTest
@testable import Environments

/// The tabular maze and Sutton & Barto's Dyna maze (Example 8.1, Figure 8.2).
final class GridMazeTests: XCTestCase {
    static let up = Action.discrete(0), right = Action.discrete(1), down = Action.discrete(2), left = Action.discrete(3)

    /// The book's obstacles, (row, column) in the 6 × 9 maze.
    static let obstacles = [(1, 2), (2, 2), (3, 2), (0, 7), (1, 7), (2, 7), (4, 5)]

    func make(_ id: String = "DynaMaze-v0", _ settings: [String: SettingValue] = [:]) throws -> GridMaze {
        let env = try EnvironmentRegistry.builtin.make(id, settings: settings)
        return try XCTUnwrap(env as? GridMaze, "\(id) should make a GridMaze")
    }

    /// The agent's cell after stepping `actions` from the start; asserts no step ends the episode.
    func cellAfter(_ actions: [Action], in env: inout GridMaze, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        var observation = try env.reset(seed: 0).observation
        for action in actions {
            let result = try env.step(action)
            XCTAssertFalse(result.done, file: file, line: line)
            XCTAssertEqual(result.reward, 0, file: file, line: line)
            observation = result.observation
        }
        return Int(observation[0])
    }

    func testDynaMazeLayoutSpacesAndEncoding() throws {
        let env = try make()
        XCTAssertEqual(env.observationSpace, .discrete(Discrete(54)))
        XCTAssertEqual(env.actionSpace, .discrete(Discrete(4)))
        XCTAssertEqual([env.rows, env.columns], [6, 9])
        XCTAssertEqual(env.startCell, 2 * 9 + 0)
        XCTAssertEqual(env.goalCells, [0 * 9 + 8])
        var walls: [[Int]] = []
        for r in 0..<6 { for c in 0..<9 where env.cell(row: r, column: c) == .wall { walls.append([r, c]) } }
        XCTAssertEqual(Set(walls), Set(Self.obstacles.map { [$0.0, $0.1] }), "exactly the book's seven obstacles")
        XCTAssertEqual(env.cell(row: -1, column: 0), .wall, "outside the maze reads as wall")
        XCTAssertEqual(env.cell(row: 0, column: 9), .wall)
        var fresh = env
        XCTAssertEqual(try fresh.reset(seed: 0).observation, [18])
        XCTAssertEqual(fresh.render(), """
            ###########
            #.......#G#
            #..#....#.#
            #A.#....#.#
            #..#......#
            #.....#...#
            #.........#
            ###########
            step 0, running

            """)
    }

    func testEveryObstacleAndBorderBlocks() throws {
        var env = try make()
        // Every move into each obstacle, from each free neighbour, leaves the agent in place.
        var blocked = 0
        for (r, c) in Self.obstacles {
            for move in GridMaze.Move.allCases {
                let from = (row: r - move.delta.row, column: c - move.delta.column)
                guard env.cell(row: from.row, column: from.column) == .floor else { continue }
                try env.setSimulatorState([Double(env.cellIndex(row: from.row, column: from.column))])
                let result = try env.step(.discrete(move.rawValue))
                XCTAssertEqual(result.observation, [Float(env.cellIndex(row: from.row, column: from.column))],
                               "moving \(move) into the obstacle (\(r), \(c)) from \(from)")
                blocked += 1
            }
        }
        XCTAssertGreaterThan(blocked, 15)
        // Borders: up and left from the top-left corner, down from the bottom row, right from the right column.
        XCTAssertEqual(try cellAfter([Self.up, Self.up, Self.up, Self.left], in: &env), 0, "(0, 0) after hitting the top and left borders")
        XCTAssertEqual(try cellAfter([Self.down, Self.down, Self.down, Self.down, Self.down], in: &env), 5 * 9, "stays on row 5")
        XCTAssertEqual(try cellAfter([Self.down, Self.down] + Array(repeating: Self.right, count: 10), in: &env), 4 * 9 + 4,
                       "row 4 stops at the obstacle (4, 5)")
        XCTAssertEqual(try cellAfter(Array(repeating: Self.down, count: 3) + Array(repeating: Self.right, count: 12), in: &env),
                       5 * 9 + 8, "the bottom row stops at the right border")
    }

    func testOnlyTheGoalPaysAndTerminatesThenRestartsAtStart() throws {
        var env = try make()
        _ = try env.reset(seed: 0)
        // From (1, 8), moving up enters the goal.
        XCTAssertEqual(try env.setSimulatorState([Double(1 * 9 + 8)]), [17])
        let last = try env.step(Self.up)
        XCTAssertEqual(last.observation, [8])
        XCTAssertEqual(last.reward, 1)
        XCTAssertTrue(last.terminated)
        XCTAssertFalse(last.truncated)
        XCTAssertThrowsError(try env.step(Self.up)) { XCTAssertEqual($0 as? EnvironmentError, .needsReset(environment: "DynaMaze-v0")) }
        XCTAssertEqual(try env.reset().observation, [18], "the next episode starts at S")
        XCTAssertEqual(env.steps, 0)
    }

    /// Breadth-first search over the environment's own dynamics (snapshot, step,
    /// restore): the shortest path from S to G is 14 steps, and every free cell is reachable.
    func testShortestPathIs14Steps() throws {
        var env = try make()
        _ = try env.reset(seed: 0)
        var distance: [Int: Int] = [env.startCell: 0]
        var frontier: [(cell: Int, snapshot: EnvironmentSnapshot)] = [(env.startCell, try XCTUnwrap(env.snapshot()))]
        var goalDistance: Int?
        while !frontier.isEmpty, goalDistance == nil {
            var next: [(cell: Int, snapshot: EnvironmentSnapshot)] = []
            for (cell, snapshot) in frontier {
                for action in 0..<4 {
                    try env.restore(snapshot)
                    let result = try env.step(.discrete(action))
                    let reached = Int(result.observation[0])
                    if result.terminated {
                        XCTAssertEqual(result.reward, 1)
                        goalDistance = goalDistance ?? distance[cell]! + 1
                    } else if distance[reached] == nil {
                        distance[reached] = distance[cell]! + 1
                        next.append((reached, try XCTUnwrap(env.snapshot())))
                    }
                }
            }
            frontier = next
        }
        XCTAssertEqual(goalDistance, 14)
        // The book's path: right, down, down, right, right, up, then right along row 3 to column 8, then up.
        var walk = try make()
        _ = try walk.reset(seed: 0)
        let path = [Self.right, Self.down, Self.down, Self.right, Self.right, Self.up]
            + Array(repeating: Self.right, count: 5) + [Self.up, Self.up, Self.up]
        XCTAssertEqual(path.count, 14)
        var result: StepResult?
        for (i, action) in path.enumerated() {
            result = try walk.step(action)
            XCTAssertEqual(result!.terminated, i == path.count - 1, "step \(i + 1)")
        }
        XCTAssertEqual(result?.reward, 1)
    }

    func testSimulatorStatePlacesTheAgentOnFloorOnly() throws {
        var env = try make()
        XCTAssertEqual(try env.setSimulatorState([40]), [40])
        XCTAssertEqual(env.simulatorState, [40])
        XCTAssertEqual([env.row, env.column], [4, 4])
        XCTAssertEqual(try env.step(Self.right).observation, [40], "(4, 5) is an obstacle")
        let bad: [([Double], String)] = [
            ([11], "cell 11 (row 1, column 2) is a wall"),
            ([8], "cell 8 (row 0, column 8) is a goal (terminal)"),
            ([54], "must be a cell index in 0..<54, got 54.0"),
            ([2.5], "must be a cell index in 0..<54, got 2.5"),
            ([1, 2], "simulator state needs 1 values, got 2"),
        ]
        for (state, message) in bad {
            XCTAssertThrowsError(try env.setSimulatorState(state)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }

    func testNoTruncationByDefaultAndMaxStepsTruncates() throws {
        var env = try make()
        _ = try env.reset(seed: 0)
        for _ in 0..<10_000 { XCTAssertFalse(try env.step(Self.left).done) }
        var limited = try make("DynaMaze-v0", ["max_steps": .int(3)])
        _ = try limited.reset(seed: 0)
        XCTAssertFalse(try limited.step(Self.left).done)
        XCTAssertFalse(try limited.step(Self.left).done)
        let third = try limited.step(Self.left)
        XCTAssertTrue(third.truncated)
        XCTAssertFalse(third.terminated)
        XCTAssertThrowsError(try limited.step(Self.left))
    }

    func testSlipRateAndSeededReplay() throws {
        func slips(seed: UInt64) throws -> [Bool] {
            var env = try make("DynaMaze-v0", ["slip": .double(0.25)])
            _ = try env.reset(seed: seed)
            return try (0..<2000).map { _ in
                let result = try env.step(Self.left)
                if result.done { _ = try env.reset() }
                return result.info["slipped"] == .bool(true)
            }
        }
        let first = try slips(seed: 3)
        XCTAssertEqual(Double(first.filter { $0 }.count) / 2000, 0.25, accuracy: 0.03)
        XCTAssertEqual(try slips(seed: 3), first, "same seed, same slips")
        var plain = try make()
        _ = try plain.reset(seed: 3)
        XCTAssertEqual(try plain.step(Self.left).info, [:], "no slip, no info")
    }

    func testCheckerPassesAndSnapshotRestores() throws {
        for id in ["DynaMaze-v0", "GridMaze-v0"] {
            for seed: UInt64 in [0, 5] {
                let report = EnvironmentChecker(seed: seed, steps: 300).check(id: id)
                XCTAssertTrue(report.passed, report.description)
            }
        }
        let slippery = EnvironmentChecker(seed: 1, steps: 300).check(name: "DynaMaze slip 0.3") {
            try EnvironmentRegistry.builtin.make("DynaMaze-v0", settings: ["slip": .double(0.3), "max_steps": .int(50)])
        }
        XCTAssertTrue(slippery.passed, slippery.description)
        // A snapshot of a differently configured maze is refused.
        var env = try make()
        let other = try make("DynaMaze-v0", ["max_steps": .int(9)])
        XCTAssertThrowsError(try env.restore(try XCTUnwrap(other.snapshot()))) { error in
            XCTAssertTrue("\(error)".contains("DynaMaze-v0: restore() expected a snapshot of 'DynaMaze-v0' with the same map"), "\(error)")
        }
        XCTAssertThrowsError(try env.restore(EnvironmentSnapshot(1))) { error in
            XCTAssertTrue("\(error)".contains("expected a snapshot of GridMaze, got Int"), "\(error)")
        }
    }

    func testBadActionsAndSettingsAreErrors() throws {
        var env = try make()
        XCTAssertThrowsError(try env.step(Self.up)) { XCTAssertTrue("\($0)".contains("before reset()"), "\($0)") }
        _ = try env.reset(seed: 0)
        for bad in [Action.discrete(4), .discrete(-1), .continuous([0])] {
            XCTAssertThrowsError(try env.step(bad)) { error in
                XCTAssertTrue("\(error)".contains("DynaMaze-v0: action \(bad) is outside the action space Discrete(4) (0 up, 1 right, 2 down, 3 left)"), "\(error)")
            }
        }
        let cases: [(String, [String: SettingValue], String)] = [
            ("DynaMaze-v0", ["slip": .double(-0.1)], "DynaMaze-v0: setting 'slip' expected a probability in [0, 1], got -0.1"),
            ("GridMaze-v0", ["slip": .double(2)], "GridMaze-v0: setting 'slip' expected a probability in [0, 1], got 2.0"),
            ("DynaMaze-v0", ["max_steps": .int(-1)], "setting 'max_steps' expected an integer >= 0 (0 = no limit), got -1"),
            ("DynaMaze-v0", ["seed": .int(-3)], "setting 'seed' expected an integer >= 0, got -3"),
            ("DynaMaze-v0", ["max_steps": .string("ten")], "setting 'max_steps' expected an integer, got 'ten'"),
            ("DynaMaze-v0", ["map_file": .string("x.txt")], "DynaMaze-v0: unknown setting 'map_file'"),
            ("GridMaze-v0", ["map_file": .string("/nonexistent/maze.txt")], "map file '/nonexistent/maze.txt' cannot be read: no such file"),
        ]
        for (id, settings, message) in cases {
            XCTAssertThrowsError(try EnvironmentRegistry.builtin.make(id, settings: settings)) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }

    func testMapFileDrivesTheMaze() throws {
        let path = try write("#####\n#S.G#\n#.#.#\n#####\n")
        var env = try make("GridMaze-v0", ["map_file": .string(path)])
        XCTAssertEqual(env.observationSpace, .discrete(Discrete(6)))
        XCTAssertEqual(try env.reset(seed: 0).observation, [0])
        XCTAssertEqual(try env.step(Self.down).observation, [3])
        XCTAssertEqual(try env.step(Self.right).observation, [3], "the interior wall at (1, 1) blocks")
        _ = try env.step(Self.up)
        XCTAssertEqual(try env.step(Self.right).observation, [1])
        let last = try env.step(Self.right)
        XCTAssertEqual(last.observation, [2])
        XCTAssertTrue(last.terminated)
        // An arrow start works too (its heading is ignored); keys, doors and lava are not maze cells; a goal is needed.
        XCTAssertNoThrow(try make("GridMaze-v0", ["map_file": .string(try write("####\n#>G#\n####\n"))]))
        let bad: [(String, String)] = [
            ("#####\n#SKG#\n#####\n", "GridMaze-v0: map cell at line 2, column 3 is 'K'; a maze holds only"),
            ("####\n#S.#\n####\n", "GridMaze-v0: the map has no goal 'G'"),
            ("#####\n#..G#\n#####\n", "no agent start"),
        ]
        for (text, message) in bad {
            XCTAssertThrowsError(try make("GridMaze-v0", ["map_file": .string(try write(text))])) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
        XCTAssertThrowsError(try make("GridMaze-v0", ["map_file": .string(try write("#####\n#..G#\n#####\n"))])) { error in
            XCTAssertTrue("\(error)".contains("expected exactly one of '>' 'v' '<' '^' or 'S'"), "\(error)")
        }
    }

    func testMapsBuiltInCodeAreCheckedToo() {
        let open = GridMap(width: 3, height: 1, cells: [.floor, .floor, .goal], start: (0, 0), startDirection: .east)
        XCTAssertThrowsError(try GridMaze(GridMaze.Configuration(name: "Code-v0", map: open))) { error in
            XCTAssertTrue("\(error)".contains("Code-v0: a maze map needs a wall border around at least one cell (3x1 given)"), "\(error)")
        }
        var cells = [GridCell](repeating: .wall, count: 9)
        cells[4] = .goal
        let onGoal = GridMap(width: 3, height: 3, cells: cells, start: (1, 1), startDirection: .east)
        XCTAssertThrowsError(try GridMaze(GridMaze.Configuration(name: "Code-v0", map: onGoal))) { error in
            XCTAssertTrue("\(error)".contains("the start (1, 1) must be a floor cell"), "\(error)")
        }
    }

    func testDefaultGridMazeIsTheDynaMaze() throws {
        let grid = try make("GridMaze-v0"), dyna = try make()
        XCTAssertEqual(grid.configuration.map, dyna.configuration.map)
        XCTAssertEqual(grid.configuration.map, try GridMaze.dynaMaze().configuration.map)
        XCTAssertEqual(try GridMap.parse(BuiltinGridMaps.dynaMaze, source: "dyna").start.x, 1)
    }

    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "/gridmaze-test-\(UUID().uuidString).txt"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
