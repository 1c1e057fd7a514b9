import CKernels

/// Per-worker ping-pong buffers of ``GaussianEnsembleMLP/predict(inputs:rows:means:logvars:)``,
/// each `[chunkRows, max(hiddenSize, headSize)]`, small enough to stay in L2.
final class EnsemblePredictionWorkspace {
    let chunkRows: Int
    let ping: [UnsafeMutablePointer<Float>]
    let pong: [UnsafeMutablePointer<Float>]

    init(chunkRows: Int, width: Int, workers: Int) {
        self.chunkRows = chunkRows
        func make() -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * width)
            p.initialize(repeating: 0, count: chunkRows * width)
            return p
        }
        ping = (0..<workers).map { _ in make() }
        pong = (0..<workers).map { _ in make() }
    }

    deinit {
        for p in ping + pong { p.deallocate() }
    }
}

extension GaussianEnsembleMLP {
    /// No-grad batched forward for imagination and planning.
    ///
    /// `inputs` is `[E, rows, inputSize]`: member e predicts its own `rows`
    /// rows. For TS-∞ propagation (particle p tied to member p mod E), put
    /// particle `p = k·E + e` in row k of member e. Writes `means` and `logvars`
    /// `[E, rows, outputSize]` (`logvars` must be nil for a deterministic
    /// ensemble). Parallel over (member, row chunk); after the first call with
    /// a given chunk size it allocates nothing. Equals the training forward.
    public func predict(inputs: UnsafeBufferPointer<Float>, rows: Int,
                        means: UnsafeMutableBufferPointer<Float>, logvars: UnsafeMutableBufferPointer<Float>?) {
        let e = ensembleSize, d = outputSize, hid = hiddenSize, hs = headSize
        precondition(rows >= 1 && inputs.count == e * rows * inputSize,
                     "predict: inputs must be [E=\(e), rows=\(rows), in=\(inputSize)], got \(inputs.count) values")
        precondition(means.count == e * rows * d, "predict: means must be [E=\(e), rows=\(rows), out=\(d)], got \(means.count)")
        if configuration.deterministic {
            precondition(logvars == nil, "predict: a deterministic ensemble has no log-variances; pass nil")
        } else {
            precondition(logvars != nil && logvars!.count == e * rows * d,
                         "predict: logvars must be [E=\(e), rows=\(rows), out=\(d)], got \(logvars?.count ?? 0)")
        }
        let chunks = (rows + predictionChunkRows - 1) / predictionChunkRows
        let chunkRows = (rows + chunks - 1) / chunks
        if (predictionWorkspace?.chunkRows ?? 0) < chunkRows {
            predictionWorkspace = EnsemblePredictionWorkspace(chunkRows: chunkRows, width: max(hid, hs),
                                                              workers: queue.workers)
        }
        let ws = predictionWorkspace!
        let layers = self.layers, params = parameters, act = activationCode
        let hiddenLayers = layers.count - 1
        let probabilistic = !configuration.deterministic
        let minLV = probabilistic ? UnsafePointer(params + minLogvarOffset) : nil
        let maxLV = probabilistic ? UnsafePointer(params + maxLogvarOffset) : nil
        let x0 = inputs.baseAddress!, meanOut = means.baseAddress!, logvarOut = logvars?.baseAddress
        let inputSize = self.inputSize

        queue.run(count: e * chunks) { worker, item in
            let m = item / chunks, c = item % chunks
            let r0 = c * rows / chunks, n = (c + 1) * rows / chunks - r0
            let row0 = m * rows + r0
            var x = x0 + row0 * inputSize
            var width = inputSize
            var a = ws.ping[worker], spare = ws.pong[worker]
            for l in 0..<hiddenLayers {
                let layer = layers[l]
                mbrl_ens_broadcast_rows(a, params + layer.biasOffset + m * hid, n, hid)
                ensembleGEMM(transposeA: false, transposeB: false, m: n, n: hid, k: width,
                             x, width, params + layer.weightOffset + m * width * hid, hid, a, hid, accumulate: true)
                mbrl_ens_bias_activation(a, nil, nil, n, hid, act)
                x = UnsafePointer(a)
                width = hid
                swap(&a, &spare)
            }
            let head = layers[hiddenLayers]
            let out = probabilistic ? a : meanOut + row0 * d
            mbrl_ens_broadcast_rows(out, params + head.biasOffset + m * hs, n, hs)
            ensembleGEMM(transposeA: false, transposeB: false, m: n, n: hs, k: hid,
                         x, hid, params + head.weightOffset + m * hid * hs, hs, out, hs, accumulate: true)
            if probabilistic {
                mbrl_ens_gaussian_head_forward(out, minLV, maxLV, n, d, meanOut + row0 * d, logvarOut! + row0 * d)
            }
        }
    }

    /// ``predict(inputs:rows:means:logvars:)`` on arrays; allocates its outputs
    /// (`logvars` is empty for a deterministic ensemble).
    public func predict(inputs: [Float], rows: Int) -> (means: [Float], logvars: [Float]) {
        let n = ensembleSize * rows * outputSize
        var means = [Float](repeating: 0, count: n)
        var logvars = [Float](repeating: 0, count: configuration.deterministic ? 0 : n)
        inputs.withUnsafeBufferPointer { x in
            means.withUnsafeMutableBufferPointer { mo in
                if configuration.deterministic {
                    predict(inputs: x, rows: rows, means: mo, logvars: nil)
                } else {
                    logvars.withUnsafeMutableBufferPointer { lo in predict(inputs: x, rows: rows, means: mo, logvars: lo) }
                }
            }
        }
        return (means, logvars)
    }
}
