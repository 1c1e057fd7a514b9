import Foundation

/// The content of one gridworld cell. `rawValue` is the cell's code in
/// symbolic observations (`GridWorld.Observation`), so the codes are part of
/// the observation contract: never renumber them.
///
/// | code | cell | map char | passable | on entering |
/// |---|---|---|---|---|
/// | 0 | floor | `.` or space | yes | — |
/// | 1 | wall | `#` | no | — |
/// | 2 | goal | `G` | yes | terminates, reward +1 |
/// | 3 | key | `K` | no (pick it up) | — |
/// | 4 | locked door | `D` | no (toggle with the key) | — |
/// | 5 | open door | `O` | yes | — |
/// | 6 | lava | `L` | yes | terminates, reward 0 |
/// | 7 | cue "up" (T-maze) | — | yes | — |
/// | 8 | cue "down" (T-maze) | — | yes | — |
/// | 9 | T-maze arm end | — | yes | terminates, +1 if the arm matches the cue |
public enum GridCell: UInt8, Hashable, Sendable, CaseIterable {
    case floor = 0, wall, goal, key, lockedDoor, openDoor, lava, cueUp, cueDown, armEnd

    /// The largest code (the upper bound of the observation box).
    public static let maxCode = Float(GridCell.armEnd.rawValue)

    /// Whether the agent can stand on the cell.
    public var isPassable: Bool {
        switch self {
        case .wall, .key, .lockedDoor: return false
        default: return true
        }
    }

    /// The character used by map files and `GridWorld.render()`.
    public var character: Character {
        switch self {
        case .floor: return "."
        case .wall: return "#"
        case .goal: return "G"
        case .key: return "K"
        case .lockedDoor: return "D"
        case .openDoor: return "O"
        case .lava: return "L"
        case .cueUp: return "u"
        case .cueDown: return "d"
        case .armEnd: return "T"
        }
    }
}

/// A heading, clockwise from east as in MiniGrid (0 east, 1 south, 2 west, 3 north),
/// with y growing downwards (row 0 is the top line of the map).
public enum GridDirection: Int, Hashable, Sendable, CaseIterable {
    case east = 0, south, west, north

    /// The (dx, dy) of one step forward.
    public var delta: (dx: Int, dy: Int) {
        switch self {
        case .east: return (1, 0)
        case .south: return (0, 1)
        case .west: return (-1, 0)
        case .north: return (0, -1)
        }
    }

    public var turnedLeft: GridDirection { GridDirection(rawValue: (rawValue + 3) % 4)! }
    public var turnedRight: GridDirection { GridDirection(rawValue: (rawValue + 1) % 4)! }

    /// The arrow drawn for an agent with this heading (also the map's start characters).
    public var arrow: Character {
        switch self {
        case .east: return ">"
        case .south: return "v"
        case .west: return "<"
        case .north: return "^"
        }
    }
}

/// A gridworld layout: a `width × height` grid of cells (row-major, row 0 on
/// top) and the agent's start position and heading. Parsed from text (see
/// `Environments/maps/README.md` for the legend) or built in code.
public struct GridMap: Hashable, Sendable {
    public var width: Int
    public var height: Int
    /// `width * height` cells, row-major.
    public var cells: [GridCell]
    public var start: (x: Int, y: Int)
    public var startDirection: GridDirection

    public init(width: Int, height: Int, cells: [GridCell], start: (x: Int, y: Int), startDirection: GridDirection) {
        precondition(cells.count == width * height, "GridMap: \(cells.count) cells for \(width)x\(height)")
        self.width = width
        self.height = height
        self.cells = cells
        self.start = start
        self.startDirection = startDirection
    }

    public subscript(x: Int, y: Int) -> GridCell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    public static func == (a: GridMap, b: GridMap) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells
            && a.start == b.start && a.startDirection == b.startDirection
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(width); hasher.combine(cells); hasher.combine(start.x); hasher.combine(start.y)
    }

    /// Parses a map. `source` names the text in errors (a file path or `built-in map 'x'`).
    ///
    /// Rules: one line per row; every row has the same length; trailing empty
    /// lines are ignored; exactly one agent start (`>`, `v`, `<`, `^`, standing
    /// on floor, or `S`: a start facing east, for maps whose agent has no
    /// heading such as `GridMaze`'s; `text` writes it back as `>`); the map's
    /// border must be walls so the agent cannot leave the grid.
    public static func parse(_ text: String, source: String) throws -> GridMap {
        // "\r\n" is one Character in Swift, so split on both line ends.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard !lines.isEmpty else { throw GridMapError.empty(source: source) }
        let width = lines[0].count
        var cells: [GridCell] = []
        cells.reserveCapacity(width * lines.count)
        var start: (x: Int, y: Int, direction: GridDirection)?
        for (row, line) in lines.enumerated() {
            guard line.count == width else {
                throw GridMapError.ragged(source: source, line: row + 1, expected: width, got: line.count)
            }
            for (column, character) in line.enumerated() {
                let heading: GridDirection? = character == "S" ? .east : GridDirection.allCases.first { $0.arrow == character }
                if let direction = heading {
                    if let first = start {
                        throw GridMapError.multipleStarts(source: source, line: row + 1, column: column + 1,
                                                          first: (first.y + 1, first.x + 1))
                    }
                    start = (column, row, direction)
                    cells.append(.floor)
                } else if let cell = cell(for: character) {
                    cells.append(cell)
                } else {
                    throw GridMapError.unknownCharacter(source: source, line: row + 1, column: column + 1,
                                                        character: character)
                }
            }
        }
        guard let start else { throw GridMapError.noStart(source: source) }
        let map = GridMap(width: width, height: lines.count, cells: cells,
                          start: (start.x, start.y), startDirection: start.direction)
        for y in 0..<map.height {
            for x in 0..<map.width where (x == 0 || y == 0 || x == map.width - 1 || y == map.height - 1)
                && map[x, y] != .wall {
                throw GridMapError.openBorder(source: source, line: y + 1, column: x + 1, character: map[x, y].character)
            }
        }
        return map
    }

    /// Reads and parses the map file at `path`.
    public static func load(path: String) throws -> GridMap {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GridMapError.unreadable(path: path, reason: FileManager.default.fileExists(atPath: path)
                ? "it exists but could not be read as UTF-8 text" : "no such file")
        }
        return try parse(text, source: path)
    }

    /// The map as text in the file format (the inverse of `parse`).
    public var text: String {
        var out = ""
        for y in 0..<height {
            for x in 0..<width {
                out.append(x == start.x && y == start.y ? startDirection.arrow : self[x, y].character)
            }
            out.append("\n")
        }
        return out
    }

    /// The cell a map character stands for (not the agent arrows).
    static func cell(for character: Character) -> GridCell? {
        switch character {
        case ".", " ": return .floor
        case "#": return .wall
        case "G": return .goal
        case "K": return .key
        case "D": return .lockedDoor
        case "O": return .openDoor
        case "L": return .lava
        default: return nil
        }
    }

    /// The characters a map file may contain, for error messages.
    static let legend = "'#' wall, '.' or ' ' floor, 'G' goal, 'K' key, 'D' locked door, 'O' open door, 'L' lava, '>' 'v' '<' '^' agent start with a heading, 'S' agent start facing east"
}

/// A map file that cannot be used: each case names the file (or built-in map),
/// the line and column (1-based) where it applies, and what was expected.
public enum GridMapError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(source: String)
    case ragged(source: String, line: Int, expected: Int, got: Int)
    case unknownCharacter(source: String, line: Int, column: Int, character: Character)
    case multipleStarts(source: String, line: Int, column: Int, first: (line: Int, column: Int))
    case noStart(source: String)
    case openBorder(source: String, line: Int, column: Int, character: Character)

    public static func == (a: GridMapError, b: GridMapError) -> Bool { a.description == b.description }

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "map file '\(path)' cannot be read: \(reason)"
        case let .empty(source):
            return "\(source): the map is empty; expected rows of map characters (\(GridMap.legend))"
        case let .ragged(source, line, expected, got):
            return "\(source):\(line):\(min(got, expected) + 1): row has \(got) characters, expected \(expected) (the length of line 1); every row must have the same length"
        case let .unknownCharacter(source, line, column, character):
            return "\(source):\(line):\(column): unknown map character \(String(reflecting: String(character))); expected one of \(GridMap.legend)"
        case let .multipleStarts(source, line, column, first):
            return "\(source):\(line):\(column): a second agent start; the first is at line \(first.line), column \(first.column); expected exactly one of '>' 'v' '<' '^' or 'S'"
        case let .noStart(source):
            return "\(source): no agent start; expected exactly one of '>' 'v' '<' '^' or 'S'"
        case let .openBorder(source, line, column, character):
            return "\(source):\(line):\(column): border cell is '\(character)', expected '#' (the map must be enclosed by walls)"
        }
    }
}
