extension EnvironmentRegistry {
    /// GridWorld-Empty, -FourRooms, -KeyDoor, -MemoryTMaze, slippery variants.
    mutating func registerGridWorlds() {}
}
