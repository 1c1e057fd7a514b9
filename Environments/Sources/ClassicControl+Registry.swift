extension EnvironmentRegistry {
    /// CartPole-v1, Pendulum-v1, MountainCar-v0, MountainCarContinuous-v0, Acrobot-v1,
    /// each wrapped in `TimeLimit` with Gymnasium's `max_episode_steps` (a setting).
    mutating func registerClassicControl() {
        register(EnvironmentSpec(
            id: CartPole.id,
            summary: "Balance a pole on a cart; Discrete(2) pushes, +1 per step (Gymnasium 1.4)",
            settings: [
                maxEpisodeStepsSetting(500),
                SettingSpec("sutton_barto_reward", default: .bool(false), "reward 0 per step and -1 on failure instead of +1 per step"),
            ]) { settings in
                var env = CartPole()
                env.suttonBartoReward = settings.bool("sutton_barto_reward")
                return TimeLimit(env, maxEpisodeSteps: try positiveSteps(settings))
            })
        register(EnvironmentSpec(
            id: Pendulum.id,
            summary: "Swing up a pendulum with torque in [-2, 2]; reward -(angle² + 0.1 vel² + 0.001 u²) (Gymnasium 1.4)",
            settings: [
                maxEpisodeStepsSetting(200),
                SettingSpec("g", default: .double(10.0), "gravitational acceleration"),
            ]) { settings in
                let g = settings.double("g")
                guard g.isFinite, g >= 0 else { throw settings.invalid("g", expected: "a finite number >= 0") }
                return TimeLimit(Pendulum(g: g), maxEpisodeSteps: try positiveSteps(settings))
            })
        register(EnvironmentSpec(
            id: MountainCar.id,
            summary: "Drive an underpowered car up a hill; Discrete(3), -1 per step (Gymnasium 1.4)",
            settings: [
                maxEpisodeStepsSetting(200),
                SettingSpec("goal_velocity", default: .double(0), "minimum velocity at the goal position"),
            ]) { settings in
                TimeLimit(MountainCar(goalVelocity: settings.double("goal_velocity")), maxEpisodeSteps: try positiveSteps(settings))
            })
        register(EnvironmentSpec(
            id: MountainCarContinuous.id,
            summary: "Mountain car with a force in [-1, 1]; +100 at the goal, -0.1 a² per step (Gymnasium 1.4)",
            settings: [
                maxEpisodeStepsSetting(999),
                SettingSpec("goal_velocity", default: .double(0), "minimum velocity at the goal position"),
            ]) { settings in
                TimeLimit(MountainCarContinuous(goalVelocity: settings.double("goal_velocity")),
                          maxEpisodeSteps: try positiveSteps(settings))
            })
        register(EnvironmentSpec(
            id: Acrobot.id,
            summary: "Swing a two-link chain's end above a bar; Discrete(3) torques, -1 per step (Gymnasium 1.4)",
            settings: [maxEpisodeStepsSetting(500)]) { settings in
                TimeLimit(Acrobot(), maxEpisodeSteps: try positiveSteps(settings))
            })
    }
}

/// The `max_episode_steps` setting (the `TimeLimit` that `gym.make` adds).
func maxEpisodeStepsSetting(_ steps: Int) -> SettingSpec {
    SettingSpec("max_episode_steps", default: .int(steps), "steps before the episode is truncated")
}

/// `max_episode_steps`, checked to be positive.
func positiveSteps(_ settings: EnvironmentSettings) throws -> Int {
    let steps = settings.int("max_episode_steps")
    guard steps > 0 else { throw settings.invalid("max_episode_steps", expected: "a positive integer") }
    return steps
}
