import Foundation
@testable import Learners
import NN
import Replay
import TestSupport

/// TD3+BC's losses in Double, from the definitions in the authors' `TD3_BC.py`
/// (states normalised with the learner's statistics), for finite differences.
struct TD3BCReference {
    var actor: ReferenceDenseNetwork
    var targetActor: ReferenceDenseNetwork
    var critics: [ReferenceDenseNetwork]
    var targets: [ReferenceDenseNetwork]
    let observationSize: Int
    let actionSize: Int
    let low: [Double], high: [Double], scale: [Double], bias: [Double]
    let mean: [Double], std: [Double]
    let gamma: Double, policyNoise: Double, noiseClip: Double
    /// Smallest |pre-activation| seen (distance to a ReLU kink).
    var kink = Double.infinity

    init(_ learner: TD3BCLearner) {
        actor = ReferenceDenseNetwork(learner.actor.network)
        targetActor = ReferenceDenseNetwork(learner.targetActor)
        critics = learner.critics.map(ReferenceDenseNetwork.init)
        targets = learner.targetCritics.map(ReferenceDenseNetwork.init)
        observationSize = learner.observationSize
        actionSize = learner.actionSize
        low = learner.actor.actionLow.map(Double.init)
        high = learner.actor.actionHigh.map(Double.init)
        scale = learner.actor.actionScale.map(Double.init)
        bias = learner.actor.actionBias.map(Double.init)
        mean = learner.actor.observationNormalizer.mean.map(Double.init)
        std = learner.actor.observationNormalizer.std.map(Double.init)
        gamma = Double(learner.configuration.gamma)
        policyNoise = Double(learner.configuration.policyNoise)
        noiseClip = Double(learner.configuration.noiseClip)
    }

    func normalized(_ s: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: s.count)
        for i in s.indices {
            let j = i % observationSize
            out[i] = (Double(s[i]) - mean[j]) / std[j]
        }
        return out
    }

    /// tanh(f(s))·scale + bias for normalised s.
    mutating func policy(_ network: ReferenceDenseNetwork, _ s: [Double], rows: Int) -> [Double] {
        var z = network.forward(s, rows: rows, kink: &kink)
        for i in z.indices {
            let j = i % actionSize
            z[i] = tanh(z[i]) * scale[j] + bias[j]
        }
        return z
    }

    func criticInput(_ s: [Double], _ a: [Double], rows: Int) -> [Double] {
        var x: [Double] = []
        for r in 0..<rows {
            x += s[(r * observationSize)..<((r + 1) * observationSize)]
            x += a[(r * actionSize)..<((r + 1) * actionSize)]
        }
        return x
    }

    /// y = r + γ(1 − terminated) min_k Q'_k(s', clamp(π'(s') + clip(σε, −c, c)·scale, low, high)).
    mutating func criticTargets(_ batch: TransitionBatch, noise: [Double]) -> [Double] {
        let b = batch.batchSize, s2 = normalized(batch.nextObservations)
        var a2 = policy(targetActor, s2, rows: b)
        for i in a2.indices {
            let j = i % actionSize
            a2[i] = min(max(a2[i] + min(max(policyNoise * noise[i], -noiseClip), noiseClip) * scale[j], low[j]), high[j])
        }
        let x2 = criticInput(s2, a2, rows: b)
        let q1 = targets[0].forward(x2, rows: b, kink: &kink), q2 = targets[1].forward(x2, rows: b, kink: &kink)
        return (0..<b).map { Double(batch.rewards[$0]) + gamma * (1 - Double(batch.terminated[$0])) * min(q1[$0], q2[$0]) }
    }

    /// MSE(Q1(s, a), y) + MSE(Q2(s, a), y).
    mutating func criticLoss(_ batch: TransitionBatch, targets y: [Double]) -> Double {
        let b = batch.batchSize
        let x = criticInput(normalized(batch.observations), batch.actions.map(Double.init), rows: b)
        var loss = 0.0
        for k in 0..<2 {
            let q = critics[k].forward(x, rows: b, kink: &kink)
            for i in 0..<b { loss += (q[i] - y[i]) * (q[i] - y[i]) / Double(b) }
        }
        return loss
    }

    /// Q1(s, π(s)) for the batch.
    mutating func policyQ(_ batch: TransitionBatch) -> (q: [Double], pi: [Double]) {
        let b = batch.batchSize, s = normalized(batch.observations)
        let pi = policy(actor, s, rows: b)
        return (critics[0].forward(criticInput(s, pi, rows: b), rows: b, kink: &kink), pi)
    }

    /// −λ · mean Q1(s, π(s)) + mean (π(s) − a)² for a fixed λ.
    mutating func actorLoss(_ batch: TransitionBatch, lambda: Double) -> Double {
        let (q, pi) = policyQ(batch)
        var cloning = 0.0
        for i in pi.indices {
            let d = pi[i] - Double(batch.actions[i])
            cloning += d * d / Double(pi.count)
        }
        return -lambda * q.reduce(0, +) / Double(q.count) + cloning
    }
}
