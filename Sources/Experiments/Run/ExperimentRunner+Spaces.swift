import Environments
import Foundation

extension ExperimentRunner {
    /// The algorithms whose loops accept these spaces, for error messages.
    static func algorithmsFitting(observation: Space, action: Space) -> [Algorithm] {
        Algorithm.allCases.filter { algorithm in
            switch algorithm {
            case .pets: return true
            case .dqn: if case .discrete = action { return true } else { return false }
            case .sac, .mbpo, .mopo, .morel, .ravl, .offlineMBPO, .bc, .td3BC:
                if case .box = action { return true } else { return false }
            case .dynaQ:
                if case .discrete = action, case .discrete = observation { return true }
                return false
            }
        }
    }

    /// `env`'s action space if it is `Discrete` (DQN, Dyna-Q), else a config error at `algorithm` (see `spaceError`).
    func discreteActions(of env: any Environment) throws -> Discrete {
        if case .discrete(let actions) = env.actionSpace { return actions }
        throw spaceError(env, needs: "a Discrete action space, but \(config.env.id) has actions \(env.actionSpace)")
    }

    /// `env`'s action space if it is a `Box` (SAC, MBPO), else a config error at `algorithm`.
    func boxActions(of env: any Environment) throws -> Box {
        if case .box(let actions) = env.actionSpace { return actions }
        throw spaceError(env, needs: "a Box action space, but \(config.env.id) has actions \(env.actionSpace)")
    }

    /// `env`'s action space if it is a bounded `Box` (the learners squash actions into it: SAC, MBPO, the offline
    /// loops), else a config error at `algorithm`.
    func boundedBoxActions(of env: any Environment) throws -> Box {
        let box = try boxActions(of: env)
        guard box.isBounded else {
            throw located(ConfigError(.inapplicable(reason:
                "algorithm \(config.algorithm.rawValue) squashes actions into the action bounds, but \(config.env.id) "
                    + "has unbounded actions \(env.actionSpace); wrap the environment with finite bounds"), keyPath: ["algorithm"]))
        }
        return box
    }

    /// `env`'s observation space if it is `Discrete` (tabular learners), else a config error at `algorithm`.
    func discreteObservations(of env: any Environment) throws -> Discrete {
        if case .discrete(let states) = env.observationSpace { return states }
        throw spaceError(env, needs: "Discrete observations (a table row per state), but \(config.env.id) has continuous observations \(env.observationSpace)")
    }

    /// A config error at the `algorithm` key: the loop `needs` what `env` lacks; names the algorithms that fit.
    func spaceError(_ env: any Environment, needs: String) -> ConfigError {
        let fitting = Self.algorithmsFitting(observation: env.observationSpace, action: env.actionSpace).map(\.rawValue)
        return located(ConfigError(.inapplicable(reason:
            "algorithm \(config.algorithm.rawValue) needs \(needs); algorithms that fit \(config.env.id): \(fitting.joined(separator: ", "))"),
            keyPath: ["algorithm"]))
    }

    /// `error` with the place its key was set: a command-line override, the
    /// entry of this run's sweep variant, or the config file's `line:column`.
    func located(_ error: ConfigError) -> ConfigError {
        var error = error
        error.variant = variant
        let dotted = error.keyPath.joined(separator: ".")
        if let override = overrides.last(where: { $0.hasPrefix(dotted + "=") }) {
            error.override = override
            return error
        }
        guard let file = configFile else { return error }
        error.file = file
        guard let root = try? ConfigLoader.parse(yaml: ConfigLoader.text(ofFile: file), file: file) else { return error }
        let node = variant.flatMap { ConfigLoader.lookup(["variants", $0, dotted], in: root, keyNode: true) }
            ?? ConfigLoader.lookup(error.keyPath, in: root, keyNode: true)
        if let mark = node?.mark { (error.line, error.column) = (mark.line, mark.column) }
        return error
    }
}
