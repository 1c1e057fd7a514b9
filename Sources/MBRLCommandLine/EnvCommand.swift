import ArgumentParser
import Dispatch
import Environments
import Experiments
import Foundation
import SeededRandom

/// `mbrl env ...`: list, check, replay and benchmark environments.
struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Inspect, check and benchmark environments.",
        subcommands: [List.self, Check.self, Replay.self, Bench.self]
    )

    /// Prints `message` to standard error and exits with status 1 (no trap, no usage dump).
    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
        return ExitCode.failure
    }

    /// Runs `body`, turning environment and config errors into clean messages and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do { try body() } catch let error as EnvironmentError {
            throw fail(error.description)
        } catch let error as ConfigError {
            throw fail(error.description)
        }
    }

    // MARK: - list

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered environments (id and summary).")

        @Flag(name: .long, help: "Also list each environment's settings with their defaults.")
        var settings = false

        func run() throws {
            let registry = MBRLCommandLine.registry
            let width = registry.ids.map(\.count).max() ?? 0
            for id in registry.ids {
                let spec = try registry.spec(id)
                print(id.padding(toLength: width + 2, withPad: " ", startingAt: 0) + spec.summary)
                if settings {
                    for s in spec.settings {
                        print("    \(s.key) = \(s.defaultValue)  (\(s.summary))")
                    }
                }
            }
        }
    }

    // MARK: - check

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the environment checker (reset/step determinism, spaces, errors, snapshots).")

        @OptionGroup var environment: EnvironmentSelection

        @Option(help: "Seed for resets and sampled actions.")
        var seed: UInt64 = 0

        @Option(help: "Steps in the rollout checks.")
        var steps: Int = 300

        func validate() throws {
            guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
            try environment.validate()
        }

        func run() throws {
            try EnvCommand.run {
                let selected = try environment.resolve()
                let report = EnvironmentChecker(seed: seed, steps: steps).check(name: selected.name) {
                    try selected.make()
                }
                print(report)
                if !report.passed { throw ExitCode.failure }
            }
        }
    }

    // MARK: - replay

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a golden trajectory file (shared/golden format) and report the deviations.")

        @Argument(help: "Environment id; must equal the file's env_id.")
        var id: String

        @Option(help: "A JSON file of recorded trajectories (initial_state, actions, observations, ...).")
        var trajectories: String

        @Option(help: "Largest accepted scaled deviation |ours - ref| / max(|ref|, 1e-3).")
        var tolerance: Double = 1e-5

        func run() throws {
            try EnvCommand.run {
                _ = try MBRLCommandLine.registry.spec(id)
                guard FileManager.default.fileExists(atPath: trajectories) else {
                    throw EnvCommand.fail("trajectory file '\(trajectories)' does not exist")
                }
                let golden = try GoldenTrajectories.load(contentsOf: URL(fileURLWithPath: trajectories))
                guard golden.envID == id else {
                    throw EnvCommand.fail("'\(trajectories)' holds trajectories of '\(golden.envID)', not '\(id)'")
                }
                let report = try TrajectoryReplay.replay(golden, registry: MBRLCommandLine.registry)
                print(report)
                if report.passed(tolerance: tolerance) {
                    print("PASS: every deviation <= \(tolerance), every flag equal")
                } else {
                    throw EnvCommand.fail("replay of \(id) deviates beyond tolerance \(tolerance) (or flags/spaces differ)")
                }
            }
        }
    }

    // MARK: - bench

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure environment steps per second (random actions drawn in advance; build with -c release).")

        @OptionGroup var environment: EnvironmentSelection

        @Option(help: "Steps to time.")
        var steps: Int = 10_000_000

        @Option(help: "Seed for resets and actions.")
        var seed: UInt64 = 0

        func validate() throws {
            guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
            try environment.validate()
        }

        func run() throws {
            try EnvCommand.run {
                let selected = try environment.resolve()
                var env = try selected.make()
                let (wall, cpu, episodes) = try Self.time(&env, steps: steps, seed: seed)
                print("{\"case\":\"env_steps\",\"env\":\"\(selected.id)\",\"steps\":\(steps),\"episodes\":\(episodes),"
                      + "\"seconds\":\(String(format: "%.4f", wall)),\"steps_per_s\":\(Int((Double(steps) / wall).rounded())),"
                      + "\"cpu_seconds\":\(String(format: "%.4f", cpu)),\"steps_per_cpu_s\":\(Int((Double(steps) / cpu).rounded()))}")
            }
        }

        /// Times `steps` steps of `env` (opened from the existential once, so the loop
        /// dispatches through the conformance rather than re-boxing per step): wall
        /// seconds, this thread's CPU seconds (robust to other load on the machine),
        /// and the number of episodes finished.
        static func time<E: Environment>(_ env: inout E, steps: Int, seed: UInt64) throws -> (Double, Double, Int) {
            var generator = SeededGenerator(seed: seed)
            let actions = (0..<4096).map { _ in env.actionSpace.sample(using: &generator) }
            _ = try env.reset(seed: seed)
            for i in 0..<min(steps, 10_000) {  // warm-up
                if try env.step(actions[i & 4095]).done { _ = try env.reset() }
            }
            _ = try env.reset(seed: seed)
            var episodes = 0
            let wallStart = DispatchTime.now().uptimeNanoseconds
            let cpuStart = threadCPUSeconds()
            for i in 0..<steps {
                let result = try env.step(actions[i & 4095])
                if result.terminated || result.truncated {
                    _ = try env.reset()
                    episodes += 1
                }
            }
            let cpu = threadCPUSeconds() - cpuStart
            let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
            return (wall, cpu, episodes)
        }

        static func threadCPUSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
    }
}
