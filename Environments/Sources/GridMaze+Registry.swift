extension EnvironmentRegistry {
    /// `DynaMaze-v0` (Sutton & Barto's Dyna maze, `GridMaze.dynaMaze()`) and
    /// `GridMaze-v0` (any maze from a map file; the Dyna maze by default).
    ///
    /// Both take `slip` (0), `max_steps` (0 = never truncate, the book's
    /// unbounded episodes) and `seed` (0); `GridMaze-v0` also takes `map_file`.
    /// Out-of-range values are errors naming the setting, never traps.
    mutating func registerGridMazes() {
        register(EnvironmentSpec(
            id: "DynaMaze-v0",
            summary: "Sutton & Barto's Dyna maze (Example 8.1): 6x9, compass moves, +1 at the goal; Discrete(54) cell index",
            settings: Self.mazeSettings) { settings in
                let configuration = try Self.mazeConfiguration(id: "DynaMaze-v0", map: try BuiltinGridMaps.map("dyna-maze.txt"),
                                                               settings: settings)
                return try GridMaze(configuration, seed: UInt64(settings.int("seed")))
            })
        register(EnvironmentSpec(
            id: "GridMaze-v0",
            summary: "tabular maze from a map file (default: the Dyna maze), compass moves, +1 at a goal; Discrete(rows x cols) cell index",
            settings: Self.mazeSettings + [
                SettingSpec("map_file", default: .string(""), "path of a map file ('#' '.' 'G' and a start 'S', walled all around; legend in Environments/maps/README.md); empty = the built-in 'dyna-maze.txt'"),
            ]) { settings in
                let path = settings.string("map_file")
                let map = path.isEmpty ? try BuiltinGridMaps.map("dyna-maze.txt") : try GridMap.load(path: path)
                let configuration = try Self.mazeConfiguration(id: "GridMaze-v0", map: map, settings: settings)
                return try GridMaze(configuration, seed: UInt64(settings.int("seed")))
            })
    }

    private static let mazeSettings: [SettingSpec] = [
        SettingSpec("slip", default: .double(0), "probability that an action is replaced by a uniformly random one"),
        SettingSpec("max_steps", default: .int(0), "steps before truncation; 0 = never truncate, as the book's episodes are unbounded"),
        SettingSpec("seed", default: .int(0), "seed of the generator until reset(seed:) gives one"),
    ]

    private static func mazeConfiguration(id: String, map: GridMap, settings: EnvironmentSettings) throws -> GridMaze.Configuration {
        let slip = settings.double("slip")
        guard slip >= 0, slip <= 1 else { throw settings.invalid("slip", expected: "a probability in [0, 1]") }
        let maxSteps = settings.int("max_steps")
        guard maxSteps >= 0 else { throw settings.invalid("max_steps", expected: "an integer >= 0 (0 = no limit)") }
        guard settings.int("seed") >= 0 else { throw settings.invalid("seed", expected: "an integer >= 0") }
        return GridMaze.Configuration(name: id, map: map, slip: slip, maxSteps: maxSteps)
    }
}
