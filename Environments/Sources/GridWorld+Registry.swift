extension EnvironmentRegistry {
    /// GridWorld-Empty, -FourRooms, -KeyDoor, -MemoryTMaze, -Slippery, and External-v0.
    ///
    /// Every gridworld takes `observation` (`full` | `partial`), `view_size`,
    /// `max_steps` (0 = 4·(width + height)), `slip` (the slippery dynamics are
    /// a setting on all of them; `GridWorld-Slippery-v0` is the empty room
    /// with `slip` 0.2 by default) and `seed`. Map-based ones also take
    /// `map_file` (a path; empty = the built-in map) and `random_start`.
    mutating func registerGridWorlds() {
        let mapBased: [(id: String, file: String, slip: Double, summary: String)] = [
            ("GridWorld-Empty-v0", "empty-8x8.txt", 0, "8x8 empty room, reach the goal in the far corner"),
            ("GridWorld-FourRooms-v0", "four-rooms.txt", 0, "19x19 four rooms joined by gaps, reach the goal in the far room"),
            ("GridWorld-KeyDoor-v0", "key-door.txt", 0, "pick up the key, open the locked door, reach the goal"),
            ("GridWorld-Slippery-v0", "empty-8x8.txt", 0.2, "8x8 empty room where each action slips to a random one with probability `slip`"),
        ]
        for entry in mapBased {
            let id = entry.id, file = entry.file
            let settings = Self.commonGridSettings(slip: entry.slip) + [
                SettingSpec("map_file", default: .string(""), "path of a map file to load instead of the built-in '\(file)' (legend in Environments/maps/README.md)"),
                SettingSpec("random_start", default: .bool(false), "start each episode on a random floor cell with a random heading"),
            ]
            register(EnvironmentSpec(id: id, summary: entry.summary, settings: settings) { settings in
                let path = settings.string("map_file")
                let map = path.isEmpty ? try BuiltinGridMaps.map(file) : try GridMap.load(path: path)
                var configuration = try Self.gridConfiguration(id: id, map: map, settings: settings)
                configuration.randomStart = settings.bool("random_start")
                return try GridWorld(configuration, seed: UInt64(settings.int("seed")))
            })
        }
        let tMazeSettings = Self.commonGridSettings(slip: 0) + [
            SettingSpec("corridor_length", default: .int(16), "corridor cells between the cue and the junction (>= 1)"),
            SettingSpec("wrong_reward", default: .double(-1), "reward for entering the wrong arm (the right one gives +1)"),
        ]
        register(EnvironmentSpec(id: "GridWorld-MemoryTMaze-v0",
                                 summary: "memory T-maze: a cue seen only at the start decides which arm pays +1",
                                 settings: tMazeSettings) { settings in
            let id = "GridWorld-MemoryTMaze-v0"
            let length = settings.int("corridor_length")
            guard length >= 1 else { throw settings.invalid("corridor_length", expected: "an integer >= 1") }
            let (map, layout) = GridWorld.tMazeMap(corridorLength: length)
            var configuration = try Self.gridConfiguration(id: id, map: map, settings: settings)
            configuration.tMaze = layout
            configuration.wrongArmReward = settings.double("wrong_reward")
            return try GridWorld(configuration, seed: UInt64(settings.int("seed")))
        })
        registerExternal()
    }

    private static func commonGridSettings(slip: Double) -> [SettingSpec] {
        [
            SettingSpec("observation", default: .string("full"), "'full' (cell codes + agent x, y, heading, carrying) or 'partial' (egocentric view_size x view_size window + heading, carrying)"),
            SettingSpec("view_size", default: .int(5), "side of the partial view (odd, >= 3)"),
            SettingSpec("max_steps", default: .int(0), "steps before truncation; 0 = 4 x (width + height)"),
            SettingSpec("slip", default: .double(slip), "probability that an action is replaced by a uniformly random one"),
            SettingSpec("seed", default: .int(0), "seed of the generator until reset(seed:) gives one"),
        ]
    }

    private static func gridConfiguration(id: String, map: GridMap, settings: EnvironmentSettings) throws -> GridWorld.Configuration {
        guard let observation = GridWorld.ObservationKind(rawValue: settings.string("observation")) else {
            throw settings.invalid("observation", expected: "'full' or 'partial'")
        }
        let viewSize = settings.int("view_size")
        guard viewSize >= 3, viewSize % 2 == 1 else { throw settings.invalid("view_size", expected: "an odd integer >= 3") }
        let maxSteps = settings.int("max_steps")
        guard maxSteps >= 0 else { throw settings.invalid("max_steps", expected: "an integer >= 0 (0 = automatic)") }
        let slip = settings.double("slip")
        guard slip >= 0, slip <= 1 else { throw settings.invalid("slip", expected: "a probability in [0, 1]") }
        guard settings.int("seed") >= 0 else { throw settings.invalid("seed", expected: "an integer >= 0") }
        return GridWorld.Configuration(name: id, map: map, observation: observation, viewSize: viewSize,
                                       maxSteps: maxSteps == 0 ? nil : maxSteps, slip: slip)
    }
}
