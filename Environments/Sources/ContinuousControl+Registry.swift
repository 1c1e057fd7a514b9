extension EnvironmentRegistry {
    /// Continuous CartPole, cart-pole swing-up, Reacher, point-mass maze.
    mutating func registerContinuousControl() {}
}
