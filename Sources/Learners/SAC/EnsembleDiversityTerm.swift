import Foundation
import NN

/// EDAC's ensemble-gradient diversity term (An et al. 2021, "Uncertainty-Based
/// Offline Reinforcement Learning with Diversified Q-Ensemble", §4, as the
/// authors' code): for N critics on a batch of (s, a),
///
///     ĝ_k = ∇_a Q_k(s, a) / (‖∇_a Q_k(s, a)‖₂ + 10⁻¹⁰)
///     ES  = (1/B) Σ_rows (1/(N − 1)) Σ_{i≠j} ⟨ĝ_i, ĝ_j⟩
///
/// added to the critic loss as η·ES: it pushes the critics' action gradients
/// apart, so the ensemble's minimum penalises out-of-distribution actions
/// (the critic half of RAVL, Sims et al. 2024).
///
/// ``compute(critics:input:rows:eta:queue:)`` runs, per critic in parallel, a
/// forward on `[s | a]` and a backward from dQ = 1 (g_k = the action columns of
/// ∇_x Q_k), then per row `∂ES/∂ĝ_i = 2(Σ_j ĝ_j − ĝ_i) / (B(N − 1))` through the
/// normalisation, and per critic the double backward
/// (``DenseNetwork/accumulateInputGradientParameterGradients(direction:rows:workspace:scratch:into:)``)
/// into ``gradients``: η·∂ES/∂θ_k, which the critics' parameter phase adds
/// before Adam. Buffers are made for one batch size.
final class EnsembleDiversityTerm {
    let batchSize: Int
    let observationSize: Int
    let actionSize: Int
    /// Per critic: η·∂ES/∂θ_k in the critic's flat layout (biases 0).
    let gradients: [UnsafeMutablePointer<Float>]
    private let passes: [DenseNetwork.Workspace]
    private let scratches: [DenseNetwork.Workspace]
    /// Per critic: ∇_x Q_k, then the direction dL/d(∇_x Q_k) (`[B, obs + act]`, zero observation columns).
    private let inputGradients: [UnsafeMutablePointer<Float>]
    private let directions: [UnsafeMutablePointer<Float>]
    private let normalized: UnsafeMutablePointer<Float>
    private let buffers = LearnerBuffers()

    init(critics: [DenseNetwork], observationSize: Int, actionSize: Int, batchSize b: Int) {
        precondition(critics.count >= 2, "EnsembleDiversityTerm: needs at least 2 critics, got \(critics.count)")
        batchSize = b
        self.observationSize = observationSize
        self.actionSize = actionSize
        let width = observationSize + actionSize, buffers = buffers
        gradients = critics.map { buffers.floats($0.parameterCount) }
        passes = critics.map { $0.makeWorkspace(rows: b) }
        scratches = critics.map { $0.makeWorkspace(rows: b) }
        inputGradients = critics.map { _ in buffers.floats(b * width) }
        directions = critics.map { _ in buffers.floats(b * width) }
        normalized = buffers.floats(critics.count * actionSize)
    }

    /// ES on rows `0..<rows` of `input` (`[rows, obs + act]`), with η·∂ES/∂θ_k left in ``gradients``.
    func compute(critics: [DenseNetwork], input: UnsafePointer<Float>, rows: Int, eta: Float, queue: EnsembleWorkQueue) -> Float {
        precondition(rows <= batchSize && critics.count == passes.count, "EnsembleDiversityTerm: \(rows) rows, \(critics.count) critics")
        let n = critics.count, obs = observationSize, act = actionSize, width = obs + act
        let passes = passes, inputGradients = inputGradients
        queue.run(count: n) { _, k in
            critics[k].forward(input, rows: 0..<rows, workspace: passes[k])
            passes[k].outputGradient.update(repeating: 1, count: rows)
            critics[k].backpropagate(rows: 0..<rows, workspace: passes[k], inputGradient: inputGradients[k])
        }
        // ES and its gradient with respect to each critic's input gradient
        let epsilon: Float = 1e-10
        let share = 2 / (Float(rows) * Float(n - 1))
        var total = 0.0
        for r in 0..<rows {
            for k in 0..<n {
                let g = inputGradients[k] + r * width + obs
                var squares: Float = 0
                for j in 0..<act { squares += g[j] * g[j] }
                let norm = squares.squareRoot()
                for j in 0..<act { normalized[k * act + j] = g[j] / (norm + epsilon) }
            }
            var pairs: Float = 0
            for j in 0..<act {
                var sum: Float = 0, own: Float = 0
                for k in 0..<n {
                    let x = normalized[k * act + j]
                    sum += x
                    own += x * x
                }
                pairs += sum * sum - own
            }
            total += Double(pairs / Float(n - 1))
            for k in 0..<n {
                let g = inputGradients[k] + r * width + obs, v = directions[k] + r * width
                var squares: Float = 0
                for j in 0..<act { squares += g[j] * g[j] }
                let norm = squares.squareRoot(), denominator = norm + epsilon
                // u = dES/dĝ_k (scaled by η); v = u/(‖g‖+ε) − g (gᵀu) / (‖g‖ (‖g‖+ε)²)
                var dot: Float = 0
                for j in 0..<act {
                    var sum: Float = 0
                    for i in 0..<n where i != k { sum += normalized[i * act + j] }
                    let u = eta * share * sum
                    v[obs + j] = u
                    dot += g[j] * u
                }
                let correction = norm > 0 ? dot / (norm * denominator * denominator) : 0
                for j in 0..<act { v[obs + j] = v[obs + j] / denominator - g[j] * correction }
                for j in 0..<obs { v[j] = 0 }
            }
        }
        let gradients = gradients, directions = directions, scratches = scratches
        queue.run(count: n) { _, k in
            gradients[k].update(repeating: 0, count: critics[k].parameterCount)
            critics[k].accumulateInputGradientParameterGradients(direction: directions[k], rows: rows, workspace: passes[k],
                                                                 scratch: scratches[k], into: gradients[k])
        }
        return Float(total / Double(rows))
    }
}
