extension EnvironmentRegistry {
    /// Every built-in environment: classic control, continuous control, gridworlds, tabular mazes.
    public static let builtin: EnvironmentRegistry = {
        var registry = EnvironmentRegistry()
        registry.registerClassicControl()
        registry.registerContinuousControl()
        registry.registerGridWorlds()
        registry.registerGridMazes()
        return registry
    }()
}
