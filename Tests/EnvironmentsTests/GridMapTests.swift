import XCTest
@testable import Environments

final class GridMapTests: XCTestCase {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "/gridmap-test-\(UUID().uuidString).txt"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func assertMapError(_ text: String, _ expected: (String) -> String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(text)
        XCTAssertThrowsError(try GridMap.load(path: path), file: file, line: line) { error in
            XCTAssertTrue(error is GridMapError, "\(type(of: error))", file: file, line: line)
            XCTAssertTrue("\(error)".contains(expected(path)), "got: \(error)", file: file, line: line)
        }
        // The same error through the registry's map_file setting.
        XCTAssertThrowsError(try EnvironmentRegistry.builtin.make("GridWorld-Empty-v0", settings: ["map_file": .string(path)]),
                             file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected(path)), "got: \(error)", file: file, line: line)
        }
    }

    func testParsesLegendAndRoundTrips() throws {
        let text = "#######\n#>.KDO#\n# LG..#\n#######\n"
        let map = try GridMap.parse(text, source: "test")
        XCTAssertEqual(map.width, 7)
        XCTAssertEqual(map.height, 4)
        XCTAssertEqual(map.start.x, 1); XCTAssertEqual(map.start.y, 1)
        XCTAssertEqual(map.startDirection, .east)
        XCTAssertEqual([map[3, 1], map[4, 1], map[5, 1], map[1, 2], map[2, 2], map[3, 2]],
                       [.key, .lockedDoor, .openDoor, .floor, .lava, .goal])
        XCTAssertEqual(map.text, "#######\n#>.KDO#\n#.LG..#\n#######\n", "spaces are written back as '.'")
        XCTAssertEqual(try GridMap.parse(map.text, source: "again"), map)
        XCTAssertEqual(try GridMap.parse("###\r\n#v#\r\n###\r\n\n\n", source: "crlf").startDirection, .south)
    }

    func testSStartFacesEastAndIsWrittenBackAsAnArrow() throws {
        let map = try GridMap.parse("#####\n#.SG#\n#####\n", source: "s-start")
        XCTAssertEqual(map.start.x, 2); XCTAssertEqual(map.start.y, 1)
        XCTAssertEqual(map.startDirection, .east)
        XCTAssertEqual(map[2, 1], .floor)
        XCTAssertEqual(map.text, "#####\n#.>G#\n#####\n")
        XCTAssertThrowsError(try GridMap.parse("#####\n#S>G#\n#####\n", source: "two")) { error in
            XCTAssertTrue("\(error)".contains("two:2:3: a second agent start; the first is at line 2, column 2"), "\(error)")
        }
    }

    func testUnknownCharacterNamesFileLineAndColumn() throws {
        try assertMapError("#####\n#>X.#\n#####\n") { path in
            "\(path):2:3: unknown map character \"X\"; expected one of '#' wall, '.' or ' ' floor"
        }
    }

    func testRaggedRowNamesFileAndLine() throws {
        try assertMapError("######\n#>..G#\n#...#\n######\n") { path in
            "\(path):3:6: row has 5 characters, expected 6 (the length of line 1)"
        }
    }

    func testMissingFile() throws {
        let path = "/nonexistent/folder/no-such-map.txt"
        XCTAssertThrowsError(try GridMap.load(path: path)) { error in
            XCTAssertEqual("\(error)", "map file '/nonexistent/folder/no-such-map.txt' cannot be read: no such file")
        }
        XCTAssertThrowsError(try EnvironmentRegistry.builtin.make("GridWorld-KeyDoor-v0", settings: ["map_file": .string(path)])) { error in
            XCTAssertTrue("\(error)".contains("no-such-map.txt' cannot be read: no such file"), "\(error)")
        }
    }

    func testStartAndBorderRules() throws {
        try assertMapError("####\n#..#\n####\n") { "\($0): no agent start; expected exactly one of '>' 'v' '<' '^'" }
        try assertMapError("#####\n#>.<#\n#####\n") { "\($0):2:4: a second agent start; the first is at line 2, column 2" }
        try assertMapError("#####\n#>..G\n#####\n") { "\($0):2:5: border cell is 'G', expected '#'" }
        try assertMapError("\n\n") { "\($0): the map is empty" }
    }
}
