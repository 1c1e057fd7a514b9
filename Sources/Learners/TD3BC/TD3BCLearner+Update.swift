import Foundation
import NN
import Replay
import SeededRandom

extension TD3BCLearner {
    /// One TD3+BC update on `batch` (see the type's doc): a critic step every
    /// call; every `policyFrequency` calls the actor step and the Polyak updates
    /// of all targets. `batch` needs `observationSize` and `actionSize` columns and
    /// at least one row; `truncated` is not read. Draws the smoothing ε from `generator`.
    @discardableResult
    public func update(on batch: TransitionBatch, using generator: inout SeededGenerator) -> TD3BCUpdateMetrics {
        let ws = prepare(batch)
        let count = updates + 1
        let actorStep = count % configuration.policyFrequency == 0

        // MARK: Critics (their targets move on actor steps, slice by slice after Adam)
        fillStandardNormal(ws.noise, count: ws.batchSize * actionSize, using: &generator)
        let critic = criticGradientPhase(ws)
        ws.criticParameters.run(critics, targets: targetCritics, input: ws.criticInput, rows: ws.batchSize,
                                workspaces: ws.criticPasses, learningRate: configuration.criticLearningRate,
                                tau: actorStep ? configuration.tau : nil, queue: queue)
        var metrics = TD3BCUpdateMetrics(criticLoss: critic.loss, meanQ: critic.meanQ)

        // MARK: Actor and its target
        if actorStep {
            let result = actorGradientPhase(ws)
            ws.actorParameters.run([actor.network], targets: [targetActor], input: ws.observations, rows: ws.batchSize,
                                   workspaces: [ws.actorPass], learningRate: configuration.actorLearningRate,
                                   tau: configuration.tau, queue: queue)
            metrics.actorLoss = result.loss
            metrics.behaviourCloningLoss = result.cloning
            metrics.lambda = result.lambda
        }
        updates = count
        return metrics
    }

    // MARK: - Phases

    /// The workspace for `batch`'s size with the batch copied in: normalised s and s'
    /// (also as the critic inputs' observation columns), a, r, terminated.
    func prepare(_ batch: TransitionBatch) -> TD3BCWorkspace {
        precondition(batch.observationSize == observationSize && batch.actionSize == actionSize && batch.batchSize > 0,
                     "TD3BCLearner.update: batch of \(batch.batchSize) rows × (observation \(batch.observationSize), action \(batch.actionSize)), "
                     + "expected ≥ 1 row × (\(observationSize), \(actionSize))")
        let b = batch.batchSize, obs = observationSize, act = actionSize, width = obs + act
        if workspace?.batchSize != b {
            workspace = TD3BCWorkspace(batchSize: b, observationSize: obs, actionSize: act, workers: queue.workers,
                                       actor: actor.network, critics: critics)
        }
        let ws = workspace!
        let normalizer = actor.observationNormalizer
        batch.observations.withUnsafeBufferPointer { s in
            normalizer.normalize(s.baseAddress!, rows: b, into: ws.observations, stride: obs)
            normalizer.normalize(s.baseAddress!, rows: b, into: ws.criticInput, stride: width)
            normalizer.normalize(s.baseAddress!, rows: b, into: ws.policyInput, stride: width)
        }
        batch.nextObservations.withUnsafeBufferPointer { s2 in
            normalizer.normalize(s2.baseAddress!, rows: b, into: ws.nextObservations, stride: obs)
            normalizer.normalize(s2.baseAddress!, rows: b, into: ws.nextInput, stride: width)
        }
        batch.actions.withUnsafeBufferPointer { a in
            for i in 0..<b { for j in 0..<act { ws.criticInput[i * width + obs + j] = a[i * act + j] } }
        }
        batch.rewards.withUnsafeBufferPointer { ws.rewards.update(from: $0.baseAddress!, count: b) }
        batch.terminated.withUnsafeBufferPointer { ws.terminated.update(from: $0.baseAddress!, count: b) }
        return ws
    }

    /// Per row block: the smoothed target action ã' (from the workspace's ε), y, the
    /// critics on (s, a), dL/dQ_k = 2(Q_k − y)/B and their backward chains. Returns the
    /// critic loss and the mean Q.
    func criticGradientPhase(_ ws: TD3BCWorkspace) -> (loss: Float, meanQ: Float) {
        let b = ws.batchSize, obs = observationSize, act = actionSize, width = obs + act
        let actor = actor, targetActor = targetActor, critics = critics, targets = targetCritics
        let low = actor.actionLow, high = actor.actionHigh, scale = actor.actionScale
        let sigma = configuration.policyNoise, clip = configuration.noiseClip
        let gamma = configuration.gamma, gradientScale = 2 / Float(b)
        let blocks = ws.rowBlocks
        queue.run(count: blocks.count) { _, block in
            let rows = blocks[block]
            // ã' = clamp(π'(s') + clip(σε, −c, c)·scale, low, high), written into the target critics' input
            actor.forward(ws.nextObservations, rows: rows, workspace: ws.targetActorPass, into: ws.nextInput + obs, stride: width,
                          network: targetActor)
            for i in rows {
                for j in 0..<act {
                    let noise = min(max(sigma * ws.noise[i * act + j], -clip), clip) * scale[j]
                    let x = ws.nextInput + i * width + obs + j
                    x.pointee = min(max(x.pointee + noise, low[j]), high[j])
                }
            }
            // y = r + γ (1 − terminated) min_k Q'_k(s', ã')
            for k in 0..<2 { targets[k].forward(ws.nextInput, rows: rows, workspace: ws.targetPasses[k]) }
            let t1 = ws.targetPasses[0].output, t2 = ws.targetPasses[1].output
            for i in rows { ws.target[i] = ws.rewards[i] + gamma * (1 - ws.terminated[i]) * min(t1[i], t2[i]) }
            // Q_k(s, a), the loss and its gradient, the backward chains
            var loss = 0.0, sum = 0.0
            for k in 0..<2 {
                critics[k].forward(ws.criticInput, rows: rows, workspace: ws.criticPasses[k])
                let q = ws.criticPasses[k].output, dq = ws.criticPasses[k].outputGradient
                for i in rows {
                    let d = q[i] - ws.target[i]
                    loss += Double(d * d)
                    sum += Double(q[i])
                    dq[i] = gradientScale * d
                }
                critics[k].backpropagate(rows: rows, workspace: ws.criticPasses[k], inputGradient: nil)
            }
            ws.criticLossPartials[block] = loss
            ws.qSumPartials[block] = sum
        }
        var loss = 0.0, sum = 0.0
        for block in 0..<blocks.count {
            loss += ws.criticLossPartials[block]
            sum += ws.qSumPartials[block]
        }
        return (Float(loss / Double(b)), Float(sum / Double(2 * b)))
    }

    /// The actor's chain in two row-parallel passes around the reduction for λ:
    /// (1) π(s) into the policy input's action columns, Q1(s, π(s)), the block sums of
    /// |Q1|, Q1 and (π − a)²; (2) dL/dQ1 = −λ/B, Q1's input gradient (no weight
    /// gradients), dL/dπ = its action columns + 2(π − a)/(B·act), and the actor's chain.
    /// Returns L_π, the cloning term and λ.
    func actorGradientPhase(_ ws: TD3BCWorkspace) -> (loss: Float, cloning: Float, lambda: Float) {
        let b = ws.batchSize, obs = observationSize, act = actionSize, width = obs + act
        let actor = actor, q1 = critics[0], blocks = ws.rowBlocks
        queue.run(count: blocks.count) { _, block in
            let rows = blocks[block]
            actor.forward(ws.observations, rows: rows, workspace: ws.actorPass, into: ws.policyInput + obs, stride: width)
            q1.forward(ws.policyInput, rows: rows, workspace: ws.policyPass)
            var absolute = 0.0, sum = 0.0, cloning = 0.0
            for i in rows {
                let q = ws.policyPass.output[i]
                absolute += Double(abs(q))
                sum += Double(q)
                for j in 0..<act {
                    let d = ws.policyInput[i * width + obs + j] - ws.criticInput[i * width + obs + j]
                    cloning += Double(d * d)
                }
            }
            ws.policyAbsQPartials[block] = absolute
            ws.policyQPartials[block] = sum
            ws.cloningPartials[block] = cloning
        }
        var absolute = 0.0, sum = 0.0, cloning = 0.0
        for block in 0..<blocks.count {
            absolute += ws.policyAbsQPartials[block]
            sum += ws.policyQPartials[block]
            cloning += ws.cloningPartials[block]
        }
        let lambda = configuration.alpha / Float(max(absolute / Double(b), 1e-6))
        let qShare = -lambda / Float(b), cloningShare = 2 / Float(b * act)
        queue.run(count: blocks.count) { _, block in
            let rows = blocks[block]
            for i in rows { ws.policyPass.outputGradient[i] = qShare }
            q1.backpropagate(rows: rows, workspace: ws.policyPass, inputGradient: ws.criticInputGradient)
            for i in rows {
                for j in 0..<act {
                    let d = ws.policyInput[i * width + obs + j] - ws.criticInput[i * width + obs + j]
                    ws.actionGradient[i * act + j] = ws.criticInputGradient[i * width + obs + j] + cloningShare * d
                }
            }
            actor.backpropagate(rows: rows, workspace: ws.actorPass, actionGradient: ws.actionGradient, stride: act)
        }
        let meanCloning = Float(cloning / Double(b * act))
        return (-lambda * Float(sum / Double(b)) + meanCloning, meanCloning, lambda)
    }
}
