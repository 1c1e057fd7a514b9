extension EnvironmentRegistry {
    /// Continuous CartPole, cart-pole swing-up, Reacher, point-mass maze,
    /// each wrapped in `TimeLimit` (`max_episode_steps` is a setting).
    mutating func registerContinuousControl() {
        register(EnvironmentSpec(
            id: ContinuousCartPole.id,
            summary: "mbrl-lib's continuous cart-pole: force 10·a, a in [-1, 1]; +1 per step, 200 steps",
            settings: [maxEpisodeStepsSetting(200)]) { settings in
                TimeLimit(ContinuousCartPole(), maxEpisodeSteps: try positiveSteps(settings))
            })
        register(EnvironmentSpec(
            id: CartPoleSwingUp.id,
            summary: "Swing a hanging pole up and balance it; dm_control's smooth reward in [0, 1], 1000 steps",
            settings: [maxEpisodeStepsSetting(1000)]) { settings in
                TimeLimit(CartPoleSwingUp(), maxEpisodeSteps: try positiveSteps(settings))
            })
        register(EnvironmentSpec(
            id: Reacher2D.id,
            summary: "Planar 2-link arm reaching a random target with torques; reward -distance - 0.1·|a|², 100 steps",
            settings: [
                maxEpisodeStepsSetting(100),
                SettingSpec("control_cost", default: .double(0.1), "weight of the squared-torque penalty"),
            ]) { settings in
                let cost = settings.double("control_cost")
                guard cost.isFinite, cost >= 0 else { throw settings.invalid("control_cost", expected: "a finite number >= 0") }
                return TimeLimit(Reacher2D(controlCost: cost), maxEpisodeSteps: try positiveSteps(settings))
            })
        register(EnvironmentSpec(
            id: PointMaze.id,
            summary: "Point mass pushed through a maze to a goal; dense (-distance) or sparse reward, 300 steps",
            settings: [
                maxEpisodeStepsSetting(300),
                SettingSpec("layout", default: .string("umaze"), "'umaze', 'medium', or rows of '#', '.', 'S', 'G' separated by newlines"),
                SettingSpec("reward", default: .string("dense"), "'dense' (-distance to goal) or 'sparse' (1 at the goal)"),
            ]) { settings in
                guard let kind = PointMaze.RewardKind(rawValue: settings.string("reward")) else {
                    throw settings.invalid("reward", expected: "'dense' or 'sparse'")
                }
                return TimeLimit(try PointMaze(layout: settings.string("layout"), reward: kind),
                                 maxEpisodeSteps: try positiveSteps(settings))
            })
    }
}
