import Environments
import Foundation

extension ExperimentRunner {
    /// The algorithms whose loops accept these spaces, for error messages.
    static func algorithmsFitting(observation: Space, action: Space) -> [Algorithm] {
        Algorithm.allCases.filter { algorithm in
            switch algorithm {
            case .pets: return true
            case .dqn: if case .discrete = action { return true } else { return false }
            case .sac, .mbpo: if case .box = action { return true } else { return false }
            case .dynaQ:
                if case .discrete = action, case .discrete = observation { return true }
                return false
            }
        }
    }

    /// Checks that `env`'s spaces fit `algorithm` (DQN needs Discrete actions,
    /// SAC and MBPO Box actions, Dyna-Q Discrete observations and actions); the
    /// error names the config's `algorithm` key with its file `line:column`, the
    /// environment's spaces and the algorithms that fit.
    func requireSpaces(of env: any Environment, discreteActions: Bool? = nil, discreteObservations: Bool = false) throws {
        var problems: [String] = []
        if let discreteActions {
            let isDiscrete: Bool = { if case .discrete = env.actionSpace { return true } else { return false } }()
            if isDiscrete != discreteActions {
                problems.append("\(discreteActions ? "a Discrete" : "a Box") action space, but \(config.env.id) has actions \(env.actionSpace)")
            }
        }
        if discreteObservations, case .box = env.observationSpace {
            problems.append("Discrete observations (a table row per state), but \(config.env.id) has continuous observations \(env.observationSpace)")
        }
        guard !problems.isEmpty else { return }
        let fitting = Self.algorithmsFitting(observation: env.observationSpace, action: env.actionSpace).map(\.rawValue)
        throw located(ConfigError(.inapplicable(reason:
            "algorithm \(config.algorithm.rawValue) needs \(problems.joined(separator: " and ")); algorithms that fit \(config.env.id): "
                + "\(fitting.joined(separator: ", "))"), keyPath: ["algorithm"]))
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
