import Foundation
import NN
import SeededRandom

extension SequenceWorldModel {
    /// Predicts one step for every row (see the type's documentation for
    /// shared and partitioned rows) and makes the predicted observation pending.
    public func imagine(_ state: inout State, actions: UnsafeBufferPointer<Float>,
                        into prediction: inout WorldModelPrediction, using generator: inout SeededGenerator) {
        precondition(actions.count == state.rows * actionSize,
                     "SequenceWorldModel.imagine: expected actions [\(state.rows), \(actionSize)], got \(actions.count) values")
        precondition(state.hasPending, "SequenceWorldModel.imagine: observe an observation before imagining")
        let o = observationSize, rows = state.rows
        let probabilistic = !configuration.deterministic
        prediction.resize(rows: rows, predictsStd: probabilistic || members.count > 1,
                          predictsReward: true, predictsTermination: true)
        let om = outputNormalizer.mean, osd = outputNormalizer.std
        if state.samplesRandomMember {
            imagineRollout(&state, actions: actions, into: &prediction, using: &generator)
        } else if state.isPartitioned {
            for (m, member) in members.enumerated() where !state.memberRows[m].isEmpty {
                let memberRows = state.memberRows[m]
                let x = normalizedInputs(state, rows: memberRows, actions: actions)
                let out = member.step(x, state: &state.memberStates[m])
                for (k, r) in memberRows.enumerated() {
                    for i in 0..<o {
                        var z = out.mean.scalars[k * o + i]
                        if let lv = out.logVariance {
                            let std = Foundation.exp(0.5 * lv.scalars[k * o + i])
                            z += std * generator.normal()
                            prediction.nextObservationStd[r * o + i] = std * osd[i]
                        }
                        prediction.nextObservations[r * o + i] = state.pending[r * o + i] + z * osd[i] + om[i]
                    }
                    prediction.rewards[r] = out.reward.scalars[k] * osd[o] + om[o]
                    prediction.terminated[r] = out.terminationLogit.scalars[k] > 0
                }
            }
        } else {
            // Shared rows: mean over members; variance = mean of variances + variance of means.
            let e = Float(members.count)
            var sum = [Float](repeating: 0, count: rows * o), squares = sum, variance = sum
            var reward = [Float](repeating: 0, count: rows), probability = reward
            for (m, member) in members.enumerated() {
                let memberRows = state.memberRows[m]
                let x = normalizedInputs(state, rows: memberRows, actions: actions)
                let out = member.step(x, state: &state.memberStates[m])
                for (k, r) in memberRows.enumerated() {
                    for i in 0..<o {
                        let delta = out.mean.scalars[k * o + i] * osd[i] + om[i]
                        sum[r * o + i] += delta
                        squares[r * o + i] += delta * delta
                        if let lv = out.logVariance { variance[r * o + i] += Foundation.exp(lv.scalars[k * o + i]) * osd[i] * osd[i] }
                    }
                    reward[r] += out.reward.scalars[k] * osd[o] + om[o]
                    probability[r] += 1 / (1 + Foundation.exp(-out.terminationLogit.scalars[k]))
                }
            }
            for r in 0..<rows {
                for i in 0..<o {
                    let mean = sum[r * o + i] / e
                    prediction.nextObservations[r * o + i] = state.pending[r * o + i] + mean
                    if !prediction.nextObservationStd.isEmpty {
                        let total = variance[r * o + i] / e + max(squares[r * o + i] / e - mean * mean, 0)
                        prediction.nextObservationStd[r * o + i] = total.squareRoot()
                    }
                }
                prediction.rewards[r] = reward[r] / e
                prediction.terminated[r] = probability[r] / e > 0.5
            }
        }
        state.pending = prediction.nextObservations
    }

    /// Rollout rows: every member steps every row (its mean, std and reward go
    /// to the prediction's `member…` arrays); each row then takes the Gaussian
    /// sample, reward and termination of a uniformly random member.
    func imagineRollout(_ state: inout State, actions: UnsafeBufferPointer<Float>,
                        into prediction: inout WorldModelPrediction, using generator: inout SeededGenerator) {
        let o = observationSize, rows = state.rows, e = members.count
        let om = outputNormalizer.mean, osd = outputNormalizer.std
        let probabilistic = !configuration.deterministic
        prediction.resizeMembers(e, predictsStd: probabilistic, predictsReward: true)
        var terminationLogits = [Float](repeating: 0, count: e * rows)
        for (m, member) in members.enumerated() {
            precondition(state.memberRows[m].count == rows, "SequenceWorldModel.imagineRollout: member \(m) does not track every row")
            let x = normalizedInputs(state, rows: state.memberRows[m], actions: actions)
            let out = member.step(x, state: &state.memberStates[m])
            for r in 0..<rows {
                let s = m * rows + r
                for i in 0..<o {
                    prediction.memberNextObservationMeans[s * o + i] = state.pending[r * o + i] + out.mean.scalars[r * o + i] * osd[i] + om[i]
                    if let lv = out.logVariance {
                        prediction.memberNextObservationStds[s * o + i] = Foundation.exp(0.5 * lv.scalars[r * o + i]) * osd[i]
                    }
                }
                prediction.memberRewards[s] = out.reward.scalars[r] * osd[o] + om[o]
                terminationLogits[s] = out.terminationLogit.scalars[r]
            }
        }
        for r in 0..<rows {
            let s = Int(generator.next(upperBound: UInt64(e))) * rows + r
            for i in 0..<o {
                var value = prediction.memberNextObservationMeans[s * o + i]
                if probabilistic {
                    let std = prediction.memberNextObservationStds[s * o + i]
                    value += std * generator.normal()
                    prediction.nextObservationStd[r * o + i] = std
                }
                prediction.nextObservations[r * o + i] = value
            }
            prediction.rewards[r] = prediction.memberRewards[s]
            prediction.terminated[r] = terminationLogits[s] > 0
        }
    }
}
