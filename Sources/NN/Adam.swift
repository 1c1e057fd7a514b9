import CKernels
import TensorCore

/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019) exactly as `torch.optim.Adam` /
/// `torch.optim.AdamW`, via the fused `mbrl_adam_update` kernel:
///
///     g ← g + λ θ                      (Adam with weightDecay λ: L2 form)
///     θ ← θ (1 − lr λ)                 (AdamW: decoupled decay)
///     m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
///     θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// The moments live in two flat contiguous buffers (one slice per parameter, in
/// the order given); each parameter is one kernel call. Defaults are torch's:
/// lr 1e-3, β = (0.9, 0.999), ε = 1e-8, weight decay 0 (Adam) / 0.01 (AdamW).
/// Parameters with `exemptFromWeightDecay` get no decay (λ = 0), as a torch
/// parameter group with `weight_decay = 0`.
public final class Adam {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// true: AdamW's decoupled decay; false: Adam's L2 term.
    public let decoupledWeightDecay: Bool
    /// Updates taken so far (t in the bias corrections).
    public private(set) var step = 0

    private var m: [Float]
    private var v: [Float]
    private let offsets: [Int]

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        var offsets: [Int] = [], total = 0
        for p in parameters { offsets.append(total); total += p.count }
        self.offsets = offsets
        m = [Float](repeating: 0, count: total)
        v = m
    }

    /// AdamW: Adam with decoupled weight decay (torch default λ = 0.01).
    public static func adamW(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// One update of every parameter from `gradients` (missing entries count as zero gradients).
    public func update(_ gradients: Gradients) {
        step += 1
        let bias1 = 1 - Float(Double(beta1).pow(step))
        let bias2 = 1 - Float(Double(beta2).pow(step))
        m.withUnsafeMutableBufferPointer { pm in
            v.withUnsafeMutableBufferPointer { pv in
                for (k, p) in parameters.enumerated() {
                    let g = gradients[p]
                    precondition(g.shape == p.shape, "Adam: gradient shape \(g.shape) for parameter of shape \(p.shape)")
                    let n = p.count
                    let decay = p.exemptFromWeightDecay ? 0 : weightDecay
                    g.withUnsafeBufferPointer { pg in
                        p.value.withUnsafeMutableBufferPointer { pp in
                            mbrl_adam_update(pp.baseAddress, pg.baseAddress, pm.baseAddress! + offsets[k], pv.baseAddress! + offsets[k],
                                             n, learningRate, beta1, beta2, epsilon, decay,
                                             decoupledWeightDecay ? 1 : 0, bias1, bias2)
                        }
                    }
                }
            }
        }
    }
}

private extension Double {
    func pow(_ n: Int) -> Double { var r = 1.0; for _ in 0..<n { r *= self }; return r }
}
