extension EnvironmentRegistry {
    /// Every built-in environment: classic control, continuous control, gridworlds.
    public static let builtin: EnvironmentRegistry = {
        var registry = EnvironmentRegistry()
        registry.registerClassicControl()
        registry.registerContinuousControl()
        registry.registerGridWorlds()
        return registry
    }()
}
