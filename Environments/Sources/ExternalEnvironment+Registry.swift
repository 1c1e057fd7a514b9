extension EnvironmentRegistry {
    /// `External-v0`: an environment served by another program over the
    /// JSON-lines protocol of `Environments/bridge/PROTOCOL.md`.
    mutating func registerExternal() {
        register(EnvironmentSpec(id: "External-v0",
                                 summary: "an environment served by a child process over JSON lines (Environments/bridge/PROTOCOL.md)",
                                 settings: [
                                     SettingSpec("command", default: .string(""), "command line of the child, e.g. 'python3 Environments/bridge/gymnasium_bridge.py CartPole-v1'"),
                                     SettingSpec("timeout", default: .double(10), "seconds to wait for each reply (> 0)"),
                                 ]) { settings in
            let command = settings.string("command")
            guard !command.isEmpty else {
                throw settings.invalid("command", expected: "a non-empty command line, e.g. 'python3 Environments/bridge/gymnasium_bridge.py CartPole-v1'")
            }
            let timeout = settings.double("timeout")
            guard timeout > 0, timeout.isFinite else { throw settings.invalid("timeout", expected: "a positive number of seconds") }
            return try ExternalEnvironment(commandLine: command, timeout: timeout)
        })
    }
}
