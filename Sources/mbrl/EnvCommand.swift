import ArgumentParser

/// `mbrl env ...`: list, check, replay and benchmark environments.
struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "env", abstract: "Inspect, check and benchmark environments.")
}
