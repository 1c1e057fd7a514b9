import XCTest
@testable import Environments
import SeededRandom

final class GridWorldTests: XCTestCase {
    static let left = Action.discrete(0), right = Action.discrete(1), forward = Action.discrete(2)
    static let pickUp = Action.discrete(3), toggle = Action.discrete(4)

    func make(_ id: String, _ settings: [String: SettingValue] = [:]) throws -> GridWorld {
        let env = try EnvironmentRegistry.builtin.make(id, settings: settings)
        return try XCTUnwrap(env as? GridWorld, "\(id) should make a GridWorld")
    }

    /// Steps through `actions`, asserting that only the last one ends the episode; returns the last result.
    @discardableResult
    func run(_ env: inout GridWorld, _ actions: [Action], file: StaticString = #filePath, line: UInt = #line) throws -> StepResult {
        var last: StepResult?
        for (i, action) in actions.enumerated() {
            let result = try env.step(action)
            if i < actions.count - 1 { XCTAssertFalse(result.done, "ended early at step \(i + 1)", file: file, line: line) }
            last = result
        }
        return try XCTUnwrap(last)
    }

    func testBuiltinMapsMatchFiles() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Environments/maps")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }
        XCTAssertEqual(Set(files), Set(BuiltinGridMaps.files.keys), "every map file is embedded and vice versa")
        for (name, text) in BuiltinGridMaps.files {
            let onDisk = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(text, onDisk, "BuiltinGridMaps text of \(name) differs from Environments/maps/\(name)")
            XCTAssertNoThrow(try BuiltinGridMaps.map(name))
        }
    }

    func testEmptyRoomShortestPathReachesGoal() throws {
        var env = try make("GridWorld-Empty-v0")
        XCTAssertEqual(env.actionSpace, .discrete(Discrete(5)))
        let first = try env.reset(seed: 1)
        XCTAssertEqual(first.observation.count, 8 * 8 + 4)
        XCTAssertEqual(Array(first.observation.suffix(4)), [1, 1, 0, 0], "x, y, heading east, not carrying")
        XCTAssertEqual(first.observation[0], 1, "top-left corner is a wall")
        XCTAssertEqual(first.observation[6 * 8 + 6], 2, "goal code at (6, 6)")
        let path = Array(repeating: Self.forward, count: 5) + [Self.right] + Array(repeating: Self.forward, count: 5)
        let last = try run(&env, path)
        XCTAssertEqual(last.reward, 1)
        XCTAssertTrue(last.terminated)
        XCTAssertFalse(last.truncated)
        XCTAssertEqual(last.info["success"], .bool(true))
        XCTAssertEqual(Array(last.observation.suffix(4)), [6, 6, 1, 0])
    }

    func testKeyDoorNeedsKeyThenOpensDoor() throws {
        var env = try make("GridWorld-KeyDoor-v0")
        _ = try env.reset(seed: 0)
        // Walk to the door without the key: toggling does nothing, the door blocks.
        try run(&env, [Self.right, Self.forward, Self.forward, Self.forward, Self.left, Self.forward, Self.forward])
        XCTAssertEqual(env.state.x, 3); XCTAssertEqual(env.state.y, 4)
        _ = try env.step(Self.toggle)
        XCTAssertEqual(env.state.grid[4, 4], .lockedDoor)
        _ = try env.step(Self.forward)
        XCTAssertEqual(env.state.x, 3, "a locked door is not passable")

        _ = try env.reset()
        let solution: [Action] = [Self.right, Self.forward, Self.forward, Self.left, Self.pickUp, Self.forward,
                                  Self.right, Self.forward, Self.left, Self.forward, Self.toggle, Self.forward,
                                  Self.forward, Self.right, Self.forward, Self.forward, Self.left, Self.forward]
        let last = try run(&env, solution)
        XCTAssertTrue(env.state.carrying)
        XCTAssertEqual(env.state.grid[2, 3], .floor, "the key was picked up")
        XCTAssertEqual(env.state.grid[4, 4], .openDoor)
        XCTAssertEqual(last.reward, 1)
        XCTAssertTrue(last.terminated)
    }

    func testRenderShowsAgentAndStatus() throws {
        var env = try make("GridWorld-Empty-v0")
        XCTAssertTrue(env.render().hasSuffix("not reset\n"))
        _ = try env.reset(seed: 0)
        _ = try env.step(Self.right)
        XCTAssertEqual(env.render(), """
            ########
            #v.....#
            #......#
            #......#
            #......#
            #......#
            #.....G#
            ########
            step 1/64, carrying nothing, running

            """)
    }

    func testPartialViewIsEgocentric() throws {
        var env = try make("GridWorld-Empty-v0", ["observation": .string("partial"), "view_size": .int(3)])
        XCTAssertEqual(env.observationSpace.flatSize, 3 * 3 + 2)
        // Facing east at (1, 1): left is the north wall; rows are 2 ahead, 1 ahead, the agent's row.
        let first = try env.reset(seed: 0)
        XCTAssertEqual(first.observation, [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0])
        // Facing north: the wall is 1 ahead, off-grid cells 2 ahead read as wall, the west wall is on the left.
        let turned = try env.step(Self.left)
        XCTAssertEqual(turned.observation, [1, 1, 1, 1, 1, 1, 1, 0, 0, 3, 0])
        guard case .box(let box) = env.observationSpace else { return XCTFail("expected a Box") }
        XCTAssertTrue(box.contains(turned.observation))
    }

    func testTruncationAtMaxStepsThenNeedsReset() throws {
        var env = try make("GridWorld-FourRooms-v0", ["max_steps": .int(3)])
        _ = try env.reset(seed: 0)
        let last = try run(&env, [Self.left, Self.left, Self.left])
        XCTAssertTrue(last.truncated)
        XCTAssertFalse(last.terminated)
        XCTAssertThrowsError(try env.step(Self.left)) { error in
            XCTAssertEqual(error as? EnvironmentError, .needsReset(environment: "GridWorld-FourRooms-v0"))
            XCTAssertTrue("\(error)".contains("call reset() first"), "\(error)")
        }
        XCTAssertNoThrow(try env.reset())
        XCTAssertNoThrow(try env.step(Self.left))
    }

    func testBadActionsAndStepBeforeResetAreErrors() throws {
        var env = try make("GridWorld-Empty-v0")
        XCTAssertThrowsError(try env.step(Self.forward)) { error in
            XCTAssertTrue("\(error)".contains("before reset()"), "\(error)")
        }
        _ = try env.reset(seed: 0)
        for bad in [Action.discrete(5), .discrete(-1), .continuous([2])] {
            XCTAssertThrowsError(try env.step(bad)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("GridWorld-Empty-v0: action \(bad) is outside the action space Discrete(5)"), text)
                XCTAssertTrue(text.contains("0 left, 1 right, 2 forward, 3 pick up, 4 toggle"), text)
            }
        }
        // A terminated episode also needs a reset.
        _ = try run(&env, Array(repeating: Self.forward, count: 5) + [Self.right] + Array(repeating: Self.forward, count: 5))
        XCTAssertThrowsError(try env.step(Self.forward)) { XCTAssertEqual($0 as? EnvironmentError, .needsReset(environment: "GridWorld-Empty-v0")) }
    }

    func testSnapshotRestoresStateAndGenerator() throws {
        var env = try make("GridWorld-Slippery-v0", ["slip": .double(0.5)])
        _ = try env.reset(seed: 7)
        for _ in 0..<5 { _ = try env.step(Self.forward) }
        let snapshot = try XCTUnwrap(env.snapshot())
        let actions = (0..<20).map { Action.discrete($0 % 5) }
        func play(_ env: inout GridWorld) throws -> [String] {
            var trace: [String] = []
            for action in actions {
                let r = try env.step(action)
                trace.append("\(r.observation.suffix(4)) \(r.reward) \(r.info["slipped"]!) \(r.done)")
                if r.done { break }
            }
            return trace
        }
        let first = try play(&env)
        try env.restore(snapshot)
        XCTAssertEqual(try play(&env), first, "same slips and moves after restore")
        XCTAssertTrue(first.contains { $0.contains("true") } && first.contains { $0.contains("false") }, "slip 0.5 should both slip and not")
        XCTAssertThrowsError(try env.restore(EnvironmentSnapshot(42))) { error in
            XCTAssertTrue("\(error)".contains("restore() expected a snapshot of State, got Int"), "\(error)")
        }
    }

    func testSlipRateMatchesSetting() throws {
        var env = try make("GridWorld-Slippery-v0", ["slip": .double(0.3), "max_steps": .int(100_000)])
        _ = try env.reset(seed: 3)
        var slipped = 0
        let n = 4000
        for _ in 0..<n {
            let result = try env.step(Self.left)   // a slip may walk into the goal
            if result.info["slipped"] == .bool(true) { slipped += 1 }
            if result.done { _ = try env.reset() }
        }
        let rate = Double(slipped) / Double(n)
        XCTAssertEqual(rate, 0.3, accuracy: 0.03, "measured slip rate \(rate)")
        // The same seed replays the same slips.
        var again = try make("GridWorld-Slippery-v0", ["slip": .double(0.3), "max_steps": .int(100_000)])
        _ = try again.reset(seed: 3)
        var replayed = 0
        for _ in 0..<n {
            let result = try again.step(Self.left)
            if result.info["slipped"] == .bool(true) { replayed += 1 }
            if result.done { _ = try again.reset() }
        }
        XCTAssertEqual(replayed, slipped)
    }

    func testEveryRegisteredGridWorldRunsInsideItsSpaces() throws {
        let ids = ["GridWorld-Empty-v0", "GridWorld-FourRooms-v0", "GridWorld-KeyDoor-v0",
                   "GridWorld-MemoryTMaze-v0", "GridWorld-Slippery-v0"]
        XCTAssertTrue(Set(ids).isSubset(of: Set(EnvironmentRegistry.builtin.ids)))
        var generator = SeededGenerator(seed: 11)
        for id in ids {
            for observation in ["full", "partial"] {
                var env = try make(id, ["observation": .string(observation)])
                guard case .box(let box) = env.observationSpace else { return XCTFail("\(id): expected a Box") }
                var result = try env.reset(seed: 5)
                XCTAssertTrue(box.contains(result.observation), "\(id) \(observation) reset")
                for _ in 0..<300 {
                    let step = try env.step(env.actionSpace.sample(using: &generator))
                    XCTAssertTrue(box.contains(step.observation), "\(id) \(observation) step")
                    if step.done { result = try env.reset() }
                }
                _ = result
            }
        }
    }

    func testInvalidSettingsAreErrors() {
        let cases: [(String, [String: SettingValue], String)] = [
            ("GridWorld-Empty-v0", ["observation": .string("rgb")], "setting 'observation' expected 'full' or 'partial', got 'rgb'"),
            ("GridWorld-Empty-v0", ["view_size": .int(4)], "setting 'view_size' expected an odd integer >= 3, got 4"),
            ("GridWorld-Slippery-v0", ["slip": .double(1.5)], "setting 'slip' expected a probability in [0, 1], got 1.5"),
            ("GridWorld-MemoryTMaze-v0", ["corridor_length": .int(0)], "setting 'corridor_length' expected an integer >= 1, got 0"),
            ("GridWorld-MemoryTMaze-v0", ["map_file": .string("x.txt")], "unknown setting 'map_file'"),
        ]
        for (id, settings, message) in cases {
            XCTAssertThrowsError(try EnvironmentRegistry.builtin.make(id, settings: settings)) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }

    func testUserMapFileLoads() throws {
        let path = NSTemporaryDirectory() + "/gridworld-test-\(UUID().uuidString).txt"
        try "#####\n#^.G#\n#####\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var env = try make("GridWorld-Empty-v0", ["map_file": .string(path)])
        XCTAssertEqual(env.observationSpace.flatSize, 15 + 4)
        _ = try env.reset(seed: 0)
        let last = try run(&env, [Self.right, Self.forward, Self.forward])
        XCTAssertEqual(last.reward, 1)
        XCTAssertTrue(last.terminated)
    }
}

extension GridWorldTests {
    func testRandomStartCoversFloorCellsAndHeadings() throws {
        var env = try make("GridWorld-FourRooms-v0", ["random_start": .bool(true)])
        var starts = Set<[Int]>()
        for i in 0..<400 {
            _ = i == 0 ? try env.reset(seed: 4) : try env.reset()
            XCTAssertEqual(env.state.grid[env.state.x, env.state.y], .floor)
            starts.insert([env.state.x, env.state.y, env.state.direction.rawValue])
        }
        XCTAssertGreaterThan(starts.count, 250, "400 draws over ~1200 (cell, heading) pairs")
        var fixed = try make("GridWorld-FourRooms-v0")
        _ = try fixed.reset(seed: 4)
        XCTAssertEqual([fixed.state.x, fixed.state.y], [1, 1])
    }
}
