extension GridWorld {
    /// The grid as ASCII art in the map-file characters (`GridCell.character`),
    /// the agent drawn as an arrow for its heading, then one status line:
    ///
    /// ```
    /// #####
    /// #>.G#
    /// #####
    /// step 0/36, carrying nothing
    /// ```
    public func render() -> String {
        var out = ""
        let grid = state.grid
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                out.append(x == state.x && y == state.y ? state.direction.arrow : grid[x, y].character)
            }
            out.append("\n")
        }
        let status = state.ended == nil ? "not reset" : state.ended == true ? "episode over" : "running"
        out += "step \(state.steps)/\(configuration.maxSteps), carrying \(state.carrying ? "key" : "nothing"), \(status)\n"
        return out
    }
}
