import CKernels
import Foundation
import NN
import Replay
import SeededRandom

extension SACLearner {
    /// One SAC update on `batch` (see the type's doc for the losses and the
    /// schedule): a critic step every call; an actor and temperature step every
    /// `policyFrequency` calls (`policyFrequency` times); the target update every
    /// `targetNetworkFrequency` calls. `batch` needs `observationSize` and
    /// `actionSize` columns and at least one row; `truncated` is not read (those
    /// rows bootstrap). Draws ε for a' and then for ã from `generator`.
    @discardableResult
    public func update(on batch: TransitionBatch, using generator: inout SeededGenerator) -> SACUpdateMetrics {
        let ws = prepare(batch)
        let b = ws.batchSize, act = actionSize
        let count = updates + 1
        let actorStep = count % configuration.policyFrequency == 0
        let targetStep = count % configuration.targetNetworkFrequency == 0

        // MARK: Critics
        fillStandardNormal(ws.nextNoise, count: b * act, using: &generator)
        if actorStep { fillStandardNormal(ws.noise, count: b * act, using: &generator) }
        let critic = criticGradientPhase(ws, alpha: alpha, sampleActor: actorStep)
        let diversity = diversityPhase(ws)
        criticUpdatePhase(ws, adam: true, polyak: targetStep)
        var metrics = SACUpdateMetrics(qLoss: critic.loss, actorLoss: nil, alphaLoss: nil, alpha: alpha, entropy: nil,
                                       meanQ: critic.meanQ)
        metrics.diversity = diversity
        metrics.maxQ = critic.maxQ

        // MARK: Actor and temperature
        if actorStep {
            for iteration in 0..<configuration.policyFrequency {
                if iteration > 0 { fillStandardNormal(ws.noise, count: b * act, using: &generator) }
                let actorResult = actorGradientPhase(ws, alpha: alpha, resample: iteration > 0)
                actorUpdatePhase(ws, adam: true)
                metrics.actorLoss = actorResult.loss
                metrics.entropy = -actorResult.meanLogProb
                if configuration.autotuneAlpha { metrics.alphaLoss = temperatureStep(meanLogProb: actorResult.meanLogProb) }
            }
        }
        updates = count
        metrics.alpha = alpha
        return metrics
    }

    // MARK: - Phases

    /// The workspace for `batch`'s size with the batch copied in: s, s', r,
    /// terminated, and the critic inputs' observation columns.
    func prepare(_ batch: TransitionBatch) -> SACWorkspace {
        precondition(batch.observationSize == observationSize && batch.actionSize == actionSize && batch.batchSize > 0,
                     "SACLearner.update: batch of \(batch.batchSize) rows × (observation \(batch.observationSize), action \(batch.actionSize)), "
                     + "expected ≥ 1 row × (\(observationSize), \(actionSize))")
        let b = batch.batchSize
        if workspace?.batchSize != b {
            workspace = SACWorkspace(batchSize: b, observationSize: observationSize, actionSize: actionSize,
                                     workers: queue.workers, actor: actor, critics: critics,
                                     diversity: configuration.diversityWeight > 0)
        }
        let ws = workspace!
        let obs = observationSize, act = actionSize, width = obs + act
        batch.observations.withUnsafeBufferPointer { s in
            batch.nextObservations.withUnsafeBufferPointer { s2 in
                batch.actions.withUnsafeBufferPointer { a in
                    ws.observations.update(from: s.baseAddress!, count: b * obs)
                    ws.nextObservations.update(from: s2.baseAddress!, count: b * obs)
                    for i in 0..<b {
                        for j in 0..<obs {
                            let x = s[i * obs + j]
                            ws.criticInput[i * width + j] = x
                            ws.policyInput[i * width + j] = x
                            ws.nextInput[i * width + j] = s2[i * obs + j]
                        }
                        for j in 0..<act { ws.criticInput[i * width + obs + j] = a[i * act + j] }
                    }
                }
            }
        }
        batch.rewards.withUnsafeBufferPointer { ws.rewards.update(from: $0.baseAddress!, count: b) }
        batch.terminated.withUnsafeBufferPointer { ws.terminated.update(from: $0.baseAddress!, count: b) }
        return ws
    }

    /// Phase 1, per row block: a' ~ π(·|s') (and ã ~ π(·|s) with `sampleActor`),
    /// the target y, the critics on (s, a), dL/dQ_k = 2(Q_k − y)/B and the critics'
    /// backward chains. Reads ε from the workspace. Returns the critic loss and mean Q.
    func criticGradientPhase(_ ws: SACWorkspace, alpha: Float, sampleActor: Bool) -> (loss: Float, meanQ: Float, maxQ: Float) {
        let b = ws.batchSize, obs = observationSize, act = actionSize, width = obs + act
        let actor = actor, critics = critics, targets = targetCritics
        let scale = scalePointer, bias = biasPointer
        let (low, high) = (configuration.logStdMin, configuration.logStdMax)
        let gamma = configuration.gamma, gradientScale = 2 / Float(b), criticCount = critics.count
        let blocks = ws.rowBlocks
        queue.run(count: blocks.count) { _, block in
            let rows = blocks[block], r0 = rows.lowerBound, n = rows.count
            // a' ~ π(·|s'), written into the target critics' input
            actor.forward(ws.nextObservations, rows: rows, workspace: ws.actorNext)
            mbrl_squashed_gaussian_forward(ws.actorNext.output + r0 * 2 * act, ws.nextNoise + r0 * act, n, act, scale, bias,
                                           low, high, ws.nextInput + r0 * width + obs, width, ws.nextLogProb + r0)
            if sampleActor {
                actor.forward(ws.observations, rows: rows, workspace: ws.actorCurrent)
                mbrl_squashed_gaussian_forward(ws.actorCurrent.output + r0 * 2 * act, ws.noise + r0 * act, n, act, scale, bias,
                                               low, high, ws.policyInput + r0 * width + obs, width, ws.logProb + r0)
            }
            // y = r + γ (1 − terminated) (min_k Q'_k(s', a') − α log π(a'|s'))
            for k in 0..<criticCount { targets[k].forward(ws.nextInput, rows: rows, workspace: ws.targetPasses[k]) }
            let targetQ = ws.targetQ
            for i in rows {
                var smallest = targetQ[0][i]
                for k in 1..<criticCount { smallest = min(smallest, targetQ[k][i]) }
                let next = smallest - alpha * ws.nextLogProb[i]
                ws.target[i] = ws.rewards[i] + gamma * (1 - ws.terminated[i]) * next
            }
            // Q_k(s, a), the loss and its gradient, the backward chains
            for k in 0..<criticCount { critics[k].forward(ws.criticInput, rows: rows, workspace: ws.criticPasses[k]) }
            var loss = 0.0, sum = 0.0, largest = -Double.infinity
            for k in 0..<criticCount {
                let q = ws.criticPasses[k].output, dq = ws.criticPasses[k].outputGradient
                for i in rows {
                    let d = q[i] - ws.target[i]
                    loss += Double(d * d)
                    sum += Double(q[i])
                    largest = max(largest, Double(q[i]))
                    dq[i] = gradientScale * d
                }
            }
            ws.criticLossPartials[block] = loss
            ws.qSumPartials[block] = sum
            ws.qMaxPartials[block] = largest
            for k in 0..<criticCount { critics[k].backpropagate(rows: rows, workspace: ws.criticPasses[k], inputGradient: nil) }
        }
        var loss = 0.0, sum = 0.0, largest = -Double.infinity
        for block in 0..<blocks.count {
            loss += ws.criticLossPartials[block]
            sum += ws.qSumPartials[block]
            largest = max(largest, ws.qMaxPartials[block])
        }
        return (Float(loss / Double(b)), Float(sum / Double(criticCount * b)), Float(largest))
    }

    /// EDAC's diversity term on the batch's (s, a), when enabled: ES, with η·∂ES/∂θ_k left
    /// for ``criticUpdatePhase(_:adam:polyak:)`` to add before Adam.
    func diversityPhase(_ ws: SACWorkspace) -> Float? {
        ws.diversity.map {
            $0.compute(critics: critics, input: ws.criticInput, rows: ws.batchSize, eta: configuration.diversityWeight, queue: queue)
        }
    }

    /// Phase 2, per (critic, layer block), largest first: the weight and bias
    /// gradients, then (with `adam`) Adam on that slice and (with `polyak`) the
    /// target's Polyak update of the same slice.
    func criticUpdatePhase(_ ws: SACWorkspace, adam: Bool, polyak: Bool) {
        ws.criticParameters.run(critics, targets: targetCritics, input: ws.criticInput, rows: ws.batchSize,
                                workspaces: ws.criticPasses, learningRate: adam ? configuration.qLearningRate : nil,
                                tau: polyak ? configuration.tau : nil, queue: queue, extraGradients: ws.diversity?.gradients)
    }

    /// Phase 3, per row block: (with `resample`) ã ~ π(·|s) from the workspace's ε,
    /// the critics on (s, ã), dL/dQ_k of `mean(α log π − min_k Q_k)` (−1/B where Q_k
    /// is the minimum, an even split on ties as torch's `minimum`, 0 elsewhere), each
    /// critic's input gradient over only its rows (compacted: half the GEMM work), the
    /// policy head's reverse and the actor's backward chain. The critics' weight
    /// gradients are not computed. Returns the actor loss and mean log π.
    func actorGradientPhase(_ ws: SACWorkspace, alpha: Float, resample: Bool) -> (loss: Float, meanLogProb: Float) {
        let b = ws.batchSize, obs = observationSize, act = actionSize, width = obs + act
        let actor = actor, critics = critics
        let scale = scalePointer, bias = biasPointer
        let (low, high) = (configuration.logStdMin, configuration.logStdMax)
        let share = 1 / Float(b)
        let blocks = ws.rowBlocks
        queue.run(count: blocks.count) { _, block in
            let rows = blocks[block], r0 = rows.lowerBound, n = rows.count
            if resample {
                actor.forward(ws.observations, rows: rows, workspace: ws.actorCurrent)
                mbrl_squashed_gaussian_forward(ws.actorCurrent.output + r0 * 2 * act, ws.noise + r0 * act, n, act, scale, bias,
                                               low, high, ws.policyInput + r0 * width + obs, width, ws.logProb + r0)
            }
            for k in 0..<critics.count { critics[k].forward(ws.policyInput, rows: rows, workspace: ws.policyPasses[k]) }
            let criticCount = critics.count, q = ws.policyQ, dq = ws.policyQGradient
            withUnsafeTemporaryAllocation(of: Int.self, capacity: criticCount) { counts in
                counts.initialize(repeating: 0)
                var loss = 0.0, logProb = 0.0
                for i in rows {
                    var smallest = q[0][i]
                    for k in 1..<criticCount { smallest = min(smallest, q[k][i]) }
                    var ties = 0
                    for k in 0..<criticCount where q[k][i] == smallest { ties += 1 }
                    loss += Double(alpha * ws.logProb[i] - smallest)
                    logProb += Double(ws.logProb[i])
                    for k in 0..<criticCount where q[k][i] == smallest {
                        dq[k][i] = ties == 1 ? -share : -share / Float(ties)
                        ws.minimumRows[k][r0 + counts[k]] = i
                        counts[k] += 1
                    }
                }
                ws.actorLossPartials[block] = loss
                ws.logProbPartials[block] = logProb
                // dL/dã = Σ_k dL/d(critic k's input)[action columns], over critic k's rows only
                (ws.actionGradient + r0 * act).update(repeating: 0, count: n * act)
                for k in 0..<critics.count {
                    let selected = ws.minimumRows[k] + r0, count = counts[k]
                    guard count > 0 else { continue }
                    let pass = ws.policyPasses[k], dx = ws.criticInputGradients[k]
                    pass.compactRows(selected, count: count, to: r0)
                    critics[k].backpropagate(rows: r0 ..< r0 + count, workspace: pass, inputGradient: dx)
                    for j in 0..<count {
                        let row = selected[j]
                        for c in 0..<act { ws.actionGradient[row * act + c] += dx[(r0 + j) * width + obs + c] }
                    }
                }
            }
            mbrl_squashed_gaussian_backward(ws.actorCurrent.output + r0 * 2 * act, ws.noise + r0 * act, n, act, scale, low, high,
                                            ws.actionGradient + r0 * act, act, alpha * share,
                                            ws.actorCurrent.outputGradient + r0 * 2 * act)
            actor.backpropagate(rows: rows, workspace: ws.actorCurrent, inputGradient: nil)
        }
        var loss = 0.0, logProb = 0.0
        for block in 0..<blocks.count {
            loss += ws.actorLossPartials[block]
            logProb += ws.logProbPartials[block]
        }
        return (Float(loss / Double(b)), Float(logProb / Double(b)))
    }

    /// Phase 4, per actor layer block: the weight and bias gradients, then (with `adam`) Adam on that slice.
    func actorUpdatePhase(_ ws: SACWorkspace, adam: Bool) {
        ws.actorParameters.run([actor], targets: nil, input: ws.observations, rows: ws.batchSize, workspaces: [ws.actorCurrent],
                               learningRate: adam ? configuration.policyLearningRate : nil, tau: nil, queue: queue)
    }

    /// One Adam step of log α on `−log α · mean(log π + target entropy)` (gradient
    /// `−(mean log π + target entropy)`). Returns the loss before the step.
    func temperatureStep(meanLogProb: Float) -> Float {
        let excess = meanLogProb + targetEntropy
        let loss = -logAlpha * excess
        var gradient = -excess
        alphaOptimizerStep += 1
        let t = Double(alphaOptimizerStep)
        let (beta1, beta2): (Float, Float) = (0.9, 0.999)
        mbrl_adam_update(&logAlpha, &gradient, &alphaFirstMoment, &alphaSecondMoment, 1,
                         configuration.alphaLearningRate ?? configuration.qLearningRate, beta1, beta2, 1e-8, 0, 0,
                         Float(1 - pow(Double(beta1), t)), Float(1 - pow(Double(beta2), t)))
        return loss
    }
}
