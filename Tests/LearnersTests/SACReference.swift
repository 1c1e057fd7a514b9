import Foundation
@testable import Learners
import NN
import Replay
import SeededRandom
import TestSupport

/// SAC's losses in Double, from the definitions in CleanRL's `sac_continuous_action.py`
/// (with log π's −½((u − μ)/σ)² computed as written there), for finite differences.
struct SACReference {
    var actor: ReferenceDenseNetwork
    var critics: [ReferenceDenseNetwork]
    var targets: [ReferenceDenseNetwork]
    let observationSize: Int
    let actionSize: Int
    let scale: [Double]
    let bias: [Double]
    let logStdMin: Double
    let logStdMax: Double
    let gamma: Double
    /// Smallest |pre-activation| and smallest |Q1 − Q2| seen by the last evaluations.
    var kink = Double.infinity
    var minGap = Double.infinity

    init(_ learner: SACLearner) {
        actor = ReferenceDenseNetwork(learner.actor)
        critics = learner.critics.map(ReferenceDenseNetwork.init)
        targets = learner.targetCritics.map(ReferenceDenseNetwork.init)
        observationSize = learner.observationSize
        actionSize = learner.actionSize
        scale = learner.actionScale.map(Double.init)
        bias = learner.actionBias.map(Double.init)
        logStdMin = Double(learner.configuration.logStdMin)
        logStdMax = Double(learner.configuration.logStdMax)
        gamma = Double(learner.configuration.gamma)
    }

    /// Sampled actions `[rows, act]` and log π `[rows]` for observations `[rows, obs]`.
    mutating func policy(_ s: [Double], rows: Int, noise: [Double]) -> (actions: [Double], logProb: [Double]) {
        let head = actor.forward(s, rows: rows, kink: &kink)
        let a = actionSize
        var actions = [Double](repeating: 0, count: rows * a), logProb = [Double](repeating: 0, count: rows)
        for r in 0..<rows {
            for j in 0..<a {
                let mu = head[r * 2 * a + j], raw = head[r * 2 * a + a + j]
                let logStd = logStdMin + 0.5 * (logStdMax - logStdMin) * (tanh(raw) + 1)
                let std = exp(logStd)
                let u = mu + std * noise[r * a + j]
                let y = tanh(u)
                actions[r * a + j] = y * scale[j] + bias[j]
                let z = (u - mu) / std
                logProb[r] += -0.5 * z * z - logStd - 0.5 * log(2 * Double.pi) - log(scale[j] * (1 - y * y) + 1e-6)
            }
        }
        return (actions, logProb)
    }

    /// `[s | a]` rows.
    func criticInput(_ s: [Double], _ a: [Double], rows: Int) -> [Double] {
        var x: [Double] = []
        for r in 0..<rows {
            x += s[(r * observationSize)..<((r + 1) * observationSize)]
            x += a[(r * actionSize)..<((r + 1) * actionSize)]
        }
        return x
    }

    /// y = r + γ(1 − terminated)(min Q'(s', a') − α log π(a'|s')).
    mutating func criticTargets(_ batch: TransitionBatch, nextNoise: [Double], alpha: Double) -> [Double] {
        let b = batch.batchSize
        let s2 = batch.nextObservations.map(Double.init)
        let (a2, logProb2) = policy(s2, rows: b, noise: nextNoise)
        let x2 = criticInput(s2, a2, rows: b)
        let q1 = targets[0].forward(x2, rows: b, kink: &kink), q2 = targets[1].forward(x2, rows: b, kink: &kink)
        return (0..<b).map { i in
            Double(batch.rewards[i]) + gamma * (1 - Double(batch.terminated[i])) * (min(q1[i], q2[i]) - alpha * logProb2[i])
        }
    }

    /// MSE(Q1(s, a), y) + MSE(Q2(s, a), y) for fixed targets y.
    mutating func criticLoss(_ batch: TransitionBatch, targets y: [Double]) -> Double {
        let b = batch.batchSize
        let x = criticInput(batch.observations.map(Double.init), batch.actions.map(Double.init), rows: b)
        var loss = 0.0
        for k in 0..<2 {
            let q = critics[k].forward(x, rows: b, kink: &kink)
            for i in 0..<b { loss += (q[i] - y[i]) * (q[i] - y[i]) / Double(b) }
        }
        return loss
    }

    /// mean(α log π(ã|s) − min(Q1, Q2)(s, ã)).
    mutating func actorLoss(_ batch: TransitionBatch, noise: [Double], alpha: Double) -> Double {
        let b = batch.batchSize
        let s = batch.observations.map(Double.init)
        let (a, logProb) = policy(s, rows: b, noise: noise)
        let x = criticInput(s, a, rows: b)
        let q1 = critics[0].forward(x, rows: b, kink: &kink), q2 = critics[1].forward(x, rows: b, kink: &kink)
        var loss = 0.0
        for i in 0..<b {
            minGap = min(minGap, abs(q1[i] - q2[i]))
            loss += (alpha * logProb[i] - min(q1[i], q2[i])) / Double(b)
        }
        return loss
    }
}

/// Central differences in Double of `loss` with respect to every element of `parameters`.
func centralDifferences(_ parameters: [Double], step h: Double = 1e-6, _ loss: ([Double]) -> Double) -> [Float] {
    parameters.indices.map { i in
        var plus = parameters, minus = parameters
        plus[i] += h
        minus[i] -= h
        return Float((loss(plus) - loss(minus)) / (2 * h))
    }
}

/// A random batch: s, s' ~ N(0, 1), a ~ U(low, high), r ~ N(0, 1), flags as given (default 0).
func randomBatch(rows: Int, observationSize: Int, actionLow: [Float], actionHigh: [Float],
                 terminated: [Float]? = nil, truncated: [Float]? = nil, generator g: inout SeededGenerator) -> TransitionBatch {
    let act = actionLow.count
    return TransitionBatch(
        observationSize: observationSize, actionSize: act,
        observations: (0..<(rows * observationSize)).map { _ in g.normal(mean: 0, std: 1) },
        actions: (0..<(rows * act)).map { i in g.uniform(actionLow[i % act], actionHigh[i % act]) },
        rewards: (0..<rows).map { _ in g.normal(mean: 0, std: 1) },
        nextObservations: (0..<(rows * observationSize)).map { _ in g.normal(mean: 0, std: 1) },
        terminated: terminated ?? [Float](repeating: 0, count: rows),
        truncated: truncated ?? [Float](repeating: 0, count: rows))
}
