extension EnvironmentRegistry {
    /// CartPole-v1, Pendulum-v1, MountainCar-v0, MountainCarContinuous-v0, Acrobot-v1.
    mutating func registerClassicControl() {}
}
