extension GridWorld {
    /// The memory T-maze (Bakker, 2002; MiniGrid's `MemoryEnv` in symbolic form):
    ///
    /// ```
    /// ########     corridorLength = 3, cue "up":
    /// ######T#     row 1: the "up" arm end T
    /// #>u....#     row 2: start >, cue u (or d), 3 corridor cells, junction
    /// ######T#     row 3: the "down" arm end T
    /// ########
    /// ```
    ///
    /// Concretely: height 5, width `corridorLength + 5`; the agent starts at
    /// (1, 2) facing east, the cue is at (2, 2), `corridorLength` floor cells
    /// follow, then the junction at x = `corridorLength + 3` with arm ends
    /// directly above (y = 1) and below (y = 3). Optimal play: move forward
    /// `corridorLength + 2` times, turn towards the cued arm, move forward once
    /// (`corridorLength + 4` steps).
    public static func tMazeMap(corridorLength: Int) -> (map: GridMap, layout: TMazeLayout) {
        precondition(corridorLength >= 1, "tMazeMap: corridorLength must be >= 1, got \(corridorLength)")
        let width = corridorLength + 5, height = 5
        let junction = corridorLength + 3
        var cells = Array(repeating: GridCell.wall, count: width * height)
        for x in 1...junction { cells[2 * width + x] = .floor }
        cells[1 * width + junction] = .armEnd
        cells[3 * width + junction] = .armEnd
        let map = GridMap(width: width, height: height, cells: cells, start: (1, 2), startDirection: .east)
        let layout = TMazeLayout(cueX: 2, cueY: 2, upArmX: junction, upArmY: 1, downArmX: junction, downArmY: 3)
        return (map, layout)
    }

    /// A memory T-maze environment; see `tMazeMap(corridorLength:)`.
    public static func tMaze(corridorLength: Int, observation: ObservationKind = .full, viewSize: Int = 5,
                             maxSteps: Int? = nil, slip: Double = 0, wrongArmReward: Double = -1,
                             name: String = "GridWorld-MemoryTMaze-v0", seed: UInt64 = 0) throws -> GridWorld {
        guard corridorLength >= 1 else {
            throw EnvironmentError.invalid("\(name): corridor length must be >= 1, got \(corridorLength)")
        }
        let (map, layout) = tMazeMap(corridorLength: corridorLength)
        let configuration = Configuration(name: name, map: map, observation: observation, viewSize: viewSize,
                                          maxSteps: maxSteps, slip: slip, tMaze: layout, wrongArmReward: wrongArmReward)
        return try GridWorld(configuration, seed: seed)
    }
}
