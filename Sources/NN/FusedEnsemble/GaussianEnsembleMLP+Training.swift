import CKernels
import Foundation

/// The result of ``GaussianEnsembleMLP/evaluate(inputs:targets:meanCotangent:logvarCotangent:lossWeight:)``.
public struct EnsembleEvaluation {
    /// The loss L (NLL with the bound penalty, or MSE).
    public var loss: Float
    /// Predicted means `[E, B, outputSize]`.
    public var means: [Float]
    /// Soft-bounded log-variances `[E, B, outputSize]` (empty if deterministic).
    public var logvars: [Float]
    /// Gradient of `lossWeight·L + Σ means·meanCotangent + Σ logvars·logvarCotangent`
    /// with respect to the flat parameters (``GaussianEnsembleMLP/parameterSpecs`` order).
    public var gradients: [Float]
}

extension GaussianEnsembleMLP {
    // MARK: - Public training API

    /// The loss and its gradient (flat, ``parameterSpecs`` order) for a batch:
    /// inputs `[E, B, inputSize]`, targets `[E, B, outputSize]`. No update.
    public func lossAndGradients(inputs: [Float], targets: [Float]) -> (loss: Float, gradients: [Float]) {
        let r = evaluate(inputs: inputs, targets: targets)
        return (r.loss, r.gradients)
    }

    /// Forward outputs and the vector–Jacobian product of
    /// `lossWeight·L + Σ means·meanCotangent + Σ logvars·logvarCotangent`
    /// (cotangents `[E, B, outputSize]` or nil for zero). Allocates its results;
    /// meant for tests and diagnostics.
    public func evaluate(inputs: [Float], targets: [Float], meanCotangent: [Float]? = nil,
                         logvarCotangent: [Float]? = nil, lossWeight: Float = 1) -> EnsembleEvaluation {
        let b = batchSize(inputs: inputs.count, targets: targets.count)
        let n = ensembleSize * b * outputSize
        precondition(meanCotangent == nil || meanCotangent!.count == n, "meanCotangent: expected \(n) values")
        precondition(logvarCotangent == nil || logvarCotangent!.count == n, "logvarCotangent: expected \(n) values")
        var means = [Float](repeating: 0, count: n)
        var logvars = [Float](repeating: 0, count: configuration.deterministic ? 0 : n)
        let cm = meanCotangent ?? [], cl = logvarCotangent ?? []
        let loss = inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { y in
                cm.withUnsafeBufferPointer { cm in
                    cl.withUnsafeBufferPointer { cl in
                        means.withUnsafeMutableBufferPointer { mo in
                            logvars.withUnsafeMutableBufferPointer { lo in
                                runStep(inputs: x.baseAddress!, targets: y.baseAddress!, batchSize: b,
                                        optimizer: nil, lossWeight: lossWeight,
                                        meanCotangent: meanCotangent == nil ? nil : cm.baseAddress,
                                        logvarCotangent: logvarCotangent == nil ? nil : cl.baseAddress,
                                        meansOut: mo.baseAddress, logvarsOut: lo.baseAddress)
                            }
                        }
                    }
                }
            }
        }
        return EnsembleEvaluation(loss: loss, means: means, logvars: logvars,
                                  gradients: Array(UnsafeBufferPointer(start: gradients, count: parameterCount)))
    }

    /// One training step — forward, loss, backward, Adam — on a batch of
    /// inputs `[E, B, inputSize]` and targets `[E, B, outputSize]` (member e
    /// trains on its own rows, e.g. a bootstrap resample). Returns the loss
    /// before the update. Allocates only when B changes. `optimizer` must pass
    /// ``EnsembleAdamSettings/validate(linearLayers:)`` (a precondition here;
    /// validate user settings up front to get an error instead).
    @discardableResult
    public func trainStep(inputs: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>,
                          optimizer: EnsembleAdamSettings) -> Float {
        let b = batchSize(inputs: inputs.count, targets: targets.count)
        do { try optimizer.validate(linearLayers: layers.count) } catch { preconditionFailure("\(error)") }
        return runStep(inputs: inputs.baseAddress!, targets: targets.baseAddress!, batchSize: b, optimizer: optimizer,
                       lossWeight: 1, meanCotangent: nil, logvarCotangent: nil, meansOut: nil, logvarsOut: nil)
    }

    /// ``trainStep(inputs:targets:optimizer:)`` on arrays.
    @discardableResult
    public func trainStep(inputs: [Float], targets: [Float], optimizer: EnsembleAdamSettings) -> Float {
        inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { y in trainStep(inputs: x, targets: y, optimizer: optimizer) }
        }
    }

    private func batchSize(inputs: Int, targets: Int) -> Int {
        precondition(inputs > 0 && inputs % (ensembleSize * inputSize) == 0,
                     "inputs: expected [E=\(ensembleSize), B, in=\(inputSize)] values, got \(inputs)")
        let b = inputs / (ensembleSize * inputSize)
        precondition(targets == ensembleSize * b * outputSize,
                     "targets: expected [E=\(ensembleSize), B=\(b), out=\(outputSize)] = \(ensembleSize * b * outputSize) values, got \(targets)")
        return b
    }

    // MARK: - The fused step

    /// Phases 1–3 (see the type's doc). With `optimizer == nil` only the
    /// gradients are computed.
    func runStep(inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, batchSize b: Int,
                 optimizer: EnsembleAdamSettings?, lossWeight: Float,
                 meanCotangent: UnsafePointer<Float>?, logvarCotangent: UnsafePointer<Float>?,
                 meansOut: UnsafeMutablePointer<Float>?, logvarsOut: UnsafeMutablePointer<Float>?) -> Float {
        if trainingWorkspace?.batchSize != b {
            trainingWorkspace = EnsembleTrainingWorkspace(
                batchSize: b, rowSplits: trainingRowSplits, workers: queue.workers, ensembleSize: ensembleSize,
                hiddenSize: hiddenSize, headSize: headSize, outputSize: outputSize, layers: layers)
        }
        let ws = trainingWorkspace!
        var adam: (m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, bias1: Float, bias2: Float)?
        if let opt = optimizer {
            if adamFirstMoment == nil {
                adamFirstMoment = .allocate(capacity: parameterCount)
                adamFirstMoment!.initialize(repeating: 0, count: parameterCount)
                adamSecondMoment = .allocate(capacity: parameterCount)
                adamSecondMoment!.initialize(repeating: 0, count: parameterCount)
            }
            optimizerStep += 1
            let t = Double(optimizerStep)
            adam = (adamFirstMoment!, adamSecondMoment!,
                    Float(1 - pow(Double(opt.beta1), t)), Float(1 - pow(Double(opt.beta2), t)))
        }
        let e = ensembleSize, d = outputSize, hid = hiddenSize, hs = headSize
        let rowItems = ws.rowItems
        let hiddenLayers = layers.count - 1
        let layers = self.layers
        let params = parameters, grads = gradients
        let act = activationCode
        let probabilistic = !configuration.deterministic
        let minLV = probabilistic ? UnsafePointer(params + minLogvarOffset) : nil
        let maxLV = probabilistic ? UnsafePointer(params + maxLogvarOffset) : nil
        let scale = lossWeight / Float(b * d)

        // Phase 1: per (member, row block), largest first: forward, loss, backward chain.
        queue.run(count: rowItems.count) { worker, item in
            let m = rowItems[item].member, r0 = rowItems[item].start, rows = rowItems[item].end - r0
            let row0 = m * b + r0
            var x = inputs + row0 * inputSize
            var width = inputSize
            for l in 0..<hiddenLayers {
                let layer = layers[l]
                let h = ws.hidden[l] + row0 * hid
                mbrl_ens_broadcast_rows(h, params + layer.biasOffset + m * hid, rows, hid)
                ensembleGEMM(transposeA: false, transposeB: false, m: rows, n: hid, k: width,
                             x, width, params + layer.weightOffset + m * width * hid, hid, h, hid, accumulate: true)
                mbrl_ens_bias_activation(h, nil, ws.derivative[l] + row0 * hid, rows, hid, act)
                x = UnsafePointer(h)
                width = hid
            }
            let headLayer = layers[hiddenLayers]
            let out = ws.head + row0 * hs
            mbrl_ens_broadcast_rows(out, params + headLayer.biasOffset + m * hs, rows, hs)
            ensembleGEMM(transposeA: false, transposeB: false, m: rows, n: hs, k: hid,
                         x, hid, params + headLayer.weightOffset + m * hid * hs, hs, out, hs, accumulate: true)
            let dOut = ws.headGradient + row0 * hs
            let y = targets + row0 * d
            let cm = meanCotangent.map { $0 + row0 * d }, cl = logvarCotangent.map { $0 + row0 * d }
            if probabilistic {
                let dmin = ws.minGradientPartials + item * d, dmax = ws.maxGradientPartials + item * d
                dmin.update(repeating: 0, count: d)
                dmax.update(repeating: 0, count: d)
                ws.lossPartials[item] = mbrl_ens_gaussian_head_backward(
                    out, y, minLV, maxLV, rows, d, scale, cm, cl,
                    meansOut.map { $0 + row0 * d }, logvarsOut.map { $0 + row0 * d }, dOut, dmin, dmax)
            } else {
                ws.lossPartials[item] = mbrl_ens_mse_head_backward(out, y, rows, d, scale, cm, dOut)
                if let mo = meansOut { (mo + row0 * d).update(from: out, count: rows * d) }
            }
            // dL/dZ_l = (dL/dZ_{l+1} · W_{l+1}ᵀ) ⊙ act'(Z_l), stored over derivative[l].
            var dz = UnsafePointer(dOut)
            var dzWidth = hs
            let scratch = ws.scratch[worker]
            for l in stride(from: hiddenLayers - 1, through: 0, by: -1) {
                let next = layers[l + 1]
                ensembleGEMM(transposeA: false, transposeB: true, m: rows, n: hid, k: dzWidth,
                             dz, dzWidth, params + next.weightOffset + m * hid * dzWidth, dzWidth, scratch, hid)
                let dl = ws.derivative[l] + row0 * hid
                mbrl_ens_multiply_inplace(dl, scratch, rows * hid)
                dz = UnsafePointer(dl)
                dzWidth = hid
            }
        }

        // Phase 2: per (layer, member, input block), largest first: dW = Xᵀ·dZ,
        // db = Σ_rows dZ, then Adam on that slice while it is in cache.
        let items = ws.gradientItems
        queue.run(count: items.count) { _, index in
            let item = items[index]
            let layer = layers[item.layer], m = item.member
            let fanIn = layer.inputSize, fanOut = layer.outputSize
            let x = item.layer == 0 ? inputs + m * b * fanIn : UnsafePointer(ws.hidden[item.layer - 1] + m * b * fanIn)
            let dz = item.layer == hiddenLayers ? ws.headGradient + m * b * fanOut : ws.derivative[item.layer] + m * b * fanOut
            let wOffset = layer.weightOffset + m * fanIn * fanOut + item.start * fanOut
            let rowsIn = item.end - item.start
            ensembleGEMM(transposeA: true, transposeB: false, m: rowsIn, n: fanOut, k: b,
                         x + item.start, fanIn, dz, fanOut, grads + wOffset, fanOut)
            let bOffset = layer.biasOffset + m * fanOut
            if item.start == 0 { mbrl_ens_column_sum(dz, b, fanOut, grads + bOffset) }
            if let opt = optimizer, let a = adam {
                let decay = opt.weightDecay + (opt.layerWeightDecay?[item.layer] ?? 0)
                mbrl_adam_update(params + wOffset, grads + wOffset, a.m + wOffset, a.v + wOffset, rowsIn * fanOut,
                                 opt.learningRate, opt.beta1, opt.beta2, opt.epsilon, decay,
                                 opt.decoupled ? 1 : 0, a.bias1, a.bias2)
                if item.start == 0 {
                    mbrl_adam_update(params + bOffset, grads + bOffset, a.m + bOffset, a.v + bOffset, fanOut,
                                     opt.learningRate, opt.beta1, opt.beta2, opt.epsilon, opt.weightDecay,
                                     opt.decoupled ? 1 : 0, a.bias1, a.bias2)
                }
            }
        }

        // Phase 3: reduce the loss and the log-variance-bound gradients.
        var total = 0.0
        for i in 0..<rowItems.count { total += ws.lossPartials[i] }
        var loss = Float(total / Double(b * d))
        if probabilistic {
            let gMin = grads + minLogvarOffset, gMax = grads + maxLogvarOffset
            var penalty: Float = 0
            for j in 0..<d {
                var sMin: Float = 0, sMax: Float = 0
                for i in 0..<rowItems.count {
                    sMin += ws.minGradientPartials[i * d + j]
                    sMax += ws.maxGradientPartials[i * d + j]
                }
                penalty += params[maxLogvarOffset + j] - params[minLogvarOffset + j]
                let learned: Float = configuration.learnLogVarianceBounds ? 1 : 0
                gMin[j] = learned * (sMin - 0.01 * lossWeight)
                gMax[j] = learned * (sMax + 0.01 * lossWeight)
            }
            loss += 0.01 * penalty
            if let opt = optimizer, let a = adam, configuration.learnLogVarianceBounds {
                let o = minLogvarOffset // min and max are adjacent
                mbrl_adam_update(params + o, grads + o, a.m + o, a.v + o, 2 * d, opt.learningRate, opt.beta1,
                                 opt.beta2, opt.epsilon, opt.weightDecay, opt.decoupled ? 1 : 0, a.bias1, a.bias2)
            }
        }
        return loss
    }
}
