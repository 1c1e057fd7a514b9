import ArgumentParser
import Environments
import Foundation

/// The entry point of the `mbrl` command set (`run`, `eval-model`, `env`,
/// `report`, `bench`) over an environment registry of your choice.
///
/// The built-in tool is `MBRLCommandLine.main()`. A package with its own
/// environments has the whole command line in a three-line `main.swift`:
///
/// ```swift
/// import MBRLCommandLine
/// var registry = EnvironmentRegistry.builtin; registry.register(PointMass.spec)
/// MBRLCommandLine.main(registry: registry)
/// ```
///
/// Every command then resolves ids against that registry: `mbrl run` on a
/// config whose `env.id` is yours, `mbrl env check YourEnv-v0`, `env list`, ...
public enum MBRLCommandLine {
    /// The registry the commands of this process resolve environment ids in
    /// (bound for the duration of `main(registry:arguments:)`).
    @TaskLocal public static var registry = EnvironmentRegistry.builtin

    /// Parses `arguments` (default: the process's), runs the command over
    /// `registry`, and exits the process with the command's status.
    public static func main(registry: EnvironmentRegistry = .builtin, arguments: [String]? = nil) -> Never {
        $registry.withValue(registry) {
            MBRLCommand.main(arguments)
        }
        exit(0)
    }
}
