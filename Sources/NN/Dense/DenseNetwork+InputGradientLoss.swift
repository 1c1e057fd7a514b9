import CKernels

extension DenseNetwork {
    /// Parameter gradients of a loss on the network's *input gradient*, for a
    /// one-output network y(x) (a critic): with g_r = ∂y/∂x at row r and a
    /// direction v_r = dL/dg_r (`[rows, inputSize]`, held fixed),
    ///
    ///     F = Σ_r ⟨v_r, g_r⟩,   ∂F/∂W_l = Σ_r δ_{l,r} ⊗ t_{l−1,r},   ∂F/∂b_l = 0,
    ///
    /// where δ_l are the deltas of a backward pass with dL/dy = 1 and t_l the
    /// forward-mode tangents of x along v: `t_{−1} = v`, `t_l = (t_{l−1} W_lᵀ) ⊙ [A_l > 0]`
    /// (exact wherever the ReLU masks do not change: F is multilinear in the
    /// weights there, and the biases only move the masks). This is the
    /// double-backward EDAC's diversity loss needs (An et al. 2021).
    ///
    /// Needs, for rows `0..<rows` of `workspace`, the forward pass and then
    /// ``backpropagate(rows:workspace:inputGradient:)`` with ``Workspace/outputGradient``
    /// set to 1. `scratch` (a workspace of this network, ≥ `rows` rows) holds the
    /// tangents. Adds ∂F/∂W to the weight slices of `gradients` (`[parameterCount]`,
    /// flat order; biases untouched). Cost: `4·rows·Σ in·out` flops, one thread.
    public func accumulateInputGradientParameterGradients(direction v: UnsafePointer<Float>, rows: Int, workspace: Workspace,
                                                          scratch: Workspace, into gradients: UnsafeMutablePointer<Float>) {
        precondition(outputSize == 1, "DenseNetwork.accumulateInputGradientParameterGradients: needs one output, got \(outputSize)")
        precondition(workspace.layerSizes == layerSizes && scratch.layerSizes == layerSizes
                     && rows <= workspace.capacity && rows <= scratch.capacity,
                     "DenseNetwork.accumulateInputGradientParameterGradients: workspaces for \(workspace.layerSizes) / \(scratch.layerSizes), "
                     + "capacity \(workspace.capacity) / \(scratch.capacity), \(rows) rows")
        guard rows > 0 else { return }
        var t = v
        for (l, layer) in layers.enumerated() {
            ensembleGEMM(transposeA: true, transposeB: false, m: layer.outputSize, n: layer.inputSize, k: rows,
                         workspace.deltas[l], layer.outputSize, t, layer.inputSize,
                         gradients + layer.weightOffset, layer.inputSize, accumulate: true)
            guard l < layers.count - 1 else { break }
            let next = scratch.activations[l]
            ensembleGEMM(transposeA: false, transposeB: true, m: rows, n: layer.outputSize, k: layer.inputSize,
                         t, layer.inputSize, parameters.baseAddress! + layer.weightOffset, layer.inputSize, next, layer.outputSize)
            mbrl_dense_relu_backward(next, workspace.activations[l], rows * layer.outputSize)
            t = UnsafePointer(next)
        }
    }
}
