import ArgumentParser
import Experiments
import Foundation

/// `mbrl eval-model CONFIG [overrides]`: open-loop prediction error of the
/// config's world model on held-out random episodes.
struct EvalModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-model",
        abstract: "Train the config's world model on random data and measure its k-step open-loop error.",
        discussion: """
        Examples (the same seed gives every backbone the same data):
          mbrl eval-model Configs/pets-cartpole.yaml model.backbone=mlp
          mbrl eval-model Configs/pets-cartpole.yaml model.backbone=gru model.train_steps=500
        Writes evaluation.json (k-step observation RMSE, reward RMSE, continuation accuracy,
        parameters, training and imagination throughput) to a new run directory.
        """
    )

    @Argument(help: "The config file (YAML).")
    var config: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Option(help: "Random-action steps to train on.")
    var trainSteps = 2000

    @Option(help: "Held-out random episodes to evaluate on.")
    var episodes = 20

    @Option(help: "Open-loop horizon H (errors for k = 1...H).")
    var horizon = 15

    @Option(help: "Directory to create the run directory in (default: the config's output.dir).")
    var out: String?

    func run() throws {
        let experiment = try ConfigLoader.load(ExperimentConfig.self, file: config, overrides: overrides)
        let runner = ExperimentRunner(config: experiment, configFile: config, overrides: overrides)
        let (evaluation, directory) = try runner.evaluateModel(trainSteps: trainSteps, heldOutEpisodes: episodes,
                                                               horizon: horizon, options: RunOptions(outputRoot: out, quiet: true))
        print("model: \(evaluation.name), \(evaluation.parameterCount) parameters, \(evaluation.episodes) held-out episodes")
        print("k\tobservation RMSE\treward RMSE")
        for k in Set([1, 5, 15, horizon]).sorted() where k <= evaluation.observationRMSE.count {
            let reward = k <= evaluation.rewardRMSE.count ? String(format: "%.4f", evaluation.rewardRMSE[k - 1]) : "-"
            print(String(format: "%d\t%.4f\t%@", k, evaluation.observationRMSE[k - 1], reward))
        }
        print("evaluation: \(directory.path)/evaluation.json")
    }
}
