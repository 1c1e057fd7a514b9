import Environments

extension EnvironmentRegistry {
    /// The built-in environments plus this package's: `PointMass-v0` and `Corridor-v0`.
    public static var withUserEnvironments: EnvironmentRegistry {
        var registry = EnvironmentRegistry.builtin
        registry.register(EnvironmentSpec(
            id: PointMass.id, summary: "1-D point mass pushed to the origin (continuous)",
            settings: [SettingSpec("max_episode_steps", default: .int(100), "steps before truncation")]
        ) { settings in
            let steps = settings.int("max_episode_steps")
            guard steps >= 1 else { throw settings.invalid("max_episode_steps", expected: "an integer of at least 1") }
            return PointMass(maxEpisodeSteps: steps)
        })
        registry.register(EnvironmentSpec(
            id: Corridor.id, summary: "walk right along a corridor of `length` cells (discrete)",
            settings: [SettingSpec("length", default: .int(8), "cells; the goal is the last one")]
        ) { settings in
            let length = settings.int("length")
            guard length >= 2 else { throw settings.invalid("length", expected: "an integer of at least 2") }
            return Corridor(length: length)
        })
        return registry
    }
}
