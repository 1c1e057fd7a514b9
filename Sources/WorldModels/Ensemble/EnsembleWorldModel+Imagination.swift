import Foundation
import NN
import SeededRandom

extension EnsembleWorldModel {
    /// Deals the rows to the network's members: the network computes every
    /// member on the same number of rows (`perMember`), so rows go to the
    /// *elite* members and each non-elite member recomputes an elite's rows
    /// (ignored). `rowOfSlot[m · perMember + k]` is the row in slot k of member m.
    ///
    /// - TS-∞: particle `p` (rows `p·C ..< (p+1)·C`, particle-major) goes to elite `p mod |elites|`;
    /// - TS-1 and rollout states: a random permutation of the rows, dealt in equal blocks;
    /// - a state not replicated for planning: rows dealt in order.
    ///
    /// Returns `perMember` and, per member, its elite slot or -1.
    func assignRows(_ state: State, using generator: inout SeededGenerator) -> (perMember: Int, eliteSlot: [Int]) {
        let rows = state.rows, eliteCount = elites.count, members = configuration.members
        var eliteRows = [[Int]](repeating: [], count: eliteCount)
        if configuration.propagation == .tsInfinity && state.candidates > 0 && !state.samplesRandomElite {
            for p in 0..<state.particles {
                eliteRows[p % eliteCount].append(contentsOf: (p * state.candidates)..<((p + 1) * state.candidates))
            }
        } else {
            let random = configuration.propagation == .tsOne || state.samplesRandomElite
            let order = random ? generator.permutation(rows) : Array(0..<rows)
            let block = (rows + eliteCount - 1) / eliteCount
            for (i, r) in order.enumerated() { eliteRows[i / block].append(r) }
        }
        let perMember = max(eliteRows.map(\.count).max() ?? 1, 1)
        var eliteSlot = [Int](repeating: -1, count: members)
        for (e, member) in elites.enumerated() { eliteSlot[member] = e }
        if rowOfSlot.count != members * perMember { rowOfSlot = [Int](repeating: 0, count: members * perMember) }
        for m in 0..<members {
            let list = eliteRows[eliteSlot[m] >= 0 ? eliteSlot[m] : m % eliteCount]
            for k in 0..<perMember {
                rowOfSlot[m * perMember + k] = list.isEmpty ? 0 : list[k < list.count ? k : 0]
            }
        }
        // A padded slot repeats its member's first row; mark it so it is not written twice.
        for m in 0..<members where eliteSlot[m] >= 0 {
            let count = eliteRows[eliteSlot[m]].count
            for k in count..<perMember { rowOfSlot[m * perMember + k] = -1 - rowOfSlot[m * perMember + k] }
        }
        return (perMember, eliteSlot)
    }

    /// Fills `inputBuffer` (`[members, perMember, inputSize]`, normalised) from the rows of the slots.
    func fillInputs(_ state: State, actions: UnsafeBufferPointer<Float>, slots: Int) {
        let o = observationSize, a = actionSize, n = inputSize
        if inputBuffer.count != slots * n { inputBuffer = [Float](repeating: 0, count: slots * n) }
        let mean = inputNormalizer.mean, std = inputNormalizer.std
        inputBuffer.withUnsafeMutableBufferPointer { x in
            state.observations.withUnsafeBufferPointer { obs in
                for s in 0..<slots {
                    let slotRow = rowOfSlot[s]
                    let r = slotRow >= 0 ? slotRow : -1 - slotRow
                    for i in 0..<o { x[s * n + i] = (obs[r * o + i] - mean[i]) / std[i] }
                    for j in 0..<a { x[s * n + o + j] = (actions[r * a + j] - mean[o + j]) / std[o + j] }
                }
            }
        }
    }

    /// Runs the no-grad forward on `inputBuffer` into `meanBuffer` / `logvarBuffer`.
    func runNetwork(slots: Int, perMember: Int) {
        let d = outputSize
        if meanBuffer.count != slots * d {
            meanBuffer = [Float](repeating: 0, count: slots * d)
            logvarBuffer = configuration.deterministic ? [] : [Float](repeating: 0, count: slots * d)
        }
        inputBuffer.withUnsafeBufferPointer { x in
            meanBuffer.withUnsafeMutableBufferPointer { m in
                if configuration.deterministic {
                    network.predict(inputs: x, rows: perMember, means: m, logvars: nil)
                } else {
                    logvarBuffer.withUnsafeMutableBufferPointer { lv in
                        network.predict(inputs: x, rows: perMember, means: m, logvars: lv)
                    }
                }
            }
        }
    }

    /// TS-∞ / TS-1: each row takes one elite's Gaussian sample, `o' = o + μ + σ ε`.
    func imagineSampled(_ state: inout State, actions: UnsafeBufferPointer<Float>,
                        into prediction: inout WorldModelPrediction, using generator: inout SeededGenerator) {
        let (perMember, eliteSlot) = assignRows(state, using: &generator)
        let members = configuration.members, slots = members * perMember
        fillInputs(state, actions: actions, slots: slots)
        runNetwork(slots: slots, perMember: perMember)
        let o = observationSize, d = outputSize
        let outMean = outputNormalizer.mean, outStd = outputNormalizer.std
        let sample = !configuration.deterministic
        if sample && noise.count != slots * d { noise = [Float](repeating: 0, count: slots * d) }
        if sample { noise.withUnsafeMutableBufferPointer { generator.fillStandardNormalFast($0) } }
        for m in 0..<members where eliteSlot[m] >= 0 {
            for k in 0..<perMember {
                let s = m * perMember + k, r = rowOfSlot[s]
                if r < 0 { continue }   // padding
                for i in 0..<d {
                    var z = meanBuffer[s * d + i]
                    var std: Float = 0
                    if sample {
                        std = Foundation.exp(0.5 * logvarBuffer[s * d + i])
                        z += std * noise[s * d + i]
                    }
                    let value = z * outStd[i] + outMean[i]
                    if i < o {
                        prediction.nextObservations[r * o + i] = state.observations[r * o + i] + value
                        if sample { prediction.nextObservationStd[r * o + i] = std * outStd[i] }
                    } else {
                        prediction.rewards[r] = value
                    }
                }
            }
        }
    }

    /// Rollout rows reporting members: every member predicts every row (its
    /// mean, std and reward go to the prediction's `member…` arrays); each row
    /// then takes the Gaussian sample `o' = o + μ + σ ε` of a uniformly random elite.
    func imagineReportingMembers(_ state: inout State, actions: UnsafeBufferPointer<Float>,
                                 into prediction: inout WorldModelPrediction, using generator: inout SeededGenerator) {
        let rows = state.rows, members = configuration.members
        if rowOfSlot.count != members * rows { rowOfSlot = [Int](repeating: 0, count: members * rows) }
        for m in 0..<members { for r in 0..<rows { rowOfSlot[m * rows + r] = r } }
        fillInputs(state, actions: actions, slots: members * rows)
        runNetwork(slots: members * rows, perMember: rows)
        let o = observationSize, d = outputSize, sample = !configuration.deterministic
        let outMean = outputNormalizer.mean, outStd = outputNormalizer.std
        prediction.resizeMembers(members, predictsStd: sample, predictsReward: configuration.learnedReward)
        for m in 0..<members {
            for r in 0..<rows {
                let s = m * rows + r
                for i in 0..<d {
                    let mean = meanBuffer[s * d + i] * outStd[i] + outMean[i]
                    let std = sample ? Foundation.exp(0.5 * logvarBuffer[s * d + i]) * outStd[i] : 0
                    if i < o {
                        prediction.memberNextObservationMeans[s * o + i] = state.observations[r * o + i] + mean
                        if sample { prediction.memberNextObservationStds[s * o + i] = std }
                    } else {
                        prediction.memberRewards[s] = mean
                    }
                }
            }
        }
        if sample && noise.count != rows * d { noise = [Float](repeating: 0, count: rows * d) }
        if sample { noise.withUnsafeMutableBufferPointer { generator.fillStandardNormalFast($0) } }
        for r in 0..<rows {
            let m = elites[Int(generator.next(upperBound: UInt64(elites.count)))], s = m * rows + r
            for i in 0..<o {
                let std = sample ? prediction.memberNextObservationStds[s * o + i] : 0
                prediction.nextObservations[r * o + i] = prediction.memberNextObservationMeans[s * o + i]
                    + (sample ? std * noise[r * d + i] : 0)
                if sample { prediction.nextObservationStd[r * o + i] = std }
            }
            if configuration.learnedReward {
                var reward = prediction.memberRewards[s]
                if sample { reward += Foundation.exp(0.5 * logvarBuffer[s * d + o]) * outStd[o] * noise[r * d + o] }
                prediction.rewards[r] = reward
            }
        }
    }

    /// Expectation: every member predicts every row; the next observation is
    /// the elites' mean prediction (no sampling) and the std their spread.
    func imagineMean(_ state: inout State, actions: UnsafeBufferPointer<Float>, into prediction: inout WorldModelPrediction) {
        let rows = state.rows, members = configuration.members
        if rowOfSlot.count != members * rows { rowOfSlot = [Int](repeating: 0, count: members * rows) }
        for m in 0..<members { for r in 0..<rows { rowOfSlot[m * rows + r] = r } }
        fillInputs(state, actions: actions, slots: members * rows)
        runNetwork(slots: members * rows, perMember: rows)
        let o = observationSize, d = outputSize, count = Float(elites.count)
        for r in 0..<rows {
            for i in 0..<d {
                var sum: Float = 0, squares: Float = 0
                for m in elites {
                    let v = meanBuffer[(m * rows + r) * d + i] * outputNormalizer.std[i] + outputNormalizer.mean[i]
                    sum += v; squares += v * v
                }
                let mean = sum / count
                if i < o {
                    prediction.nextObservations[r * o + i] = state.observations[r * o + i] + mean
                    if !configuration.deterministic {
                        prediction.nextObservationStd[r * o + i] = max(squares / count - mean * mean, 0).squareRoot()
                    }
                } else {
                    prediction.rewards[r] = mean
                }
            }
        }
    }
}
