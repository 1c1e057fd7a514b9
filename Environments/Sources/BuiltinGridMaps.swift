/// The built-in gridworld maps, embedded so that they work from any build
/// (no resource bundle). Each is a copy of a file in `Environments/maps/`;
/// `GridWorldTests.testBuiltinMapsMatchFiles` fails if they differ.
public enum BuiltinGridMaps {
    /// File name in `Environments/maps/` → text.
    public static let files: [String: String] = [
        "empty-8x8.txt": empty8x8,
        "four-rooms.txt": fourRooms,
        "key-door.txt": keyDoor,
        "dyna-maze.txt": dynaMaze,
    ]

    /// `maps/empty-8x8.txt`.
    public static let empty8x8 = """
########
#>.....#
#......#
#......#
#......#
#......#
#.....G#
########

"""

    /// `maps/four-rooms.txt`.
    public static let fourRooms = """
###################
#>.......#........#
#........#........#
#.................#
#........#........#
#........#........#
#........#........#
#........#........#
#........#........#
#####.########.####
#........#........#
#........#........#
#........#........#
#........#........#
#.................#
#........#........#
#........#........#
#........#.......G#
###################

"""

    /// `maps/key-door.txt`.
    public static let keyDoor = """
########
#>..#..#
#...#..#
#.K.#..#
#...D..#
#...#..#
#...#.G#
########

"""

    /// `maps/dyna-maze.txt`: the Dyna maze of Sutton & Barto (2nd ed.),
    /// Example 8.1 / Figure 8.2 — 6 rows × 9 columns inside a wall border
    /// (the book's grid has none), start `S` at row 2, column 0, goal `G` at
    /// row 0, column 8 (rows and columns of the 6 × 9 maze, counted from 0).
    public static let dynaMaze = """
###########
#.......#G#
#..#....#.#
#S.#....#.#
#..#......#
#.....#...#
#.........#
###########

"""

    /// The parsed built-in map `file` (a key of `files`).
    public static func map(_ file: String) throws -> GridMap {
        guard let text = files[file] else {
            throw EnvironmentError.invalid("no built-in map '\(file)'; built-in maps: \(files.keys.sorted().joined(separator: ", "))")
        }
        return try GridMap.parse(text, source: "built-in map '\(file)'")
    }
}
