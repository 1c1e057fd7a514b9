import CBLAS
import NN

/// `LayerNorm` and `Linear` as single tape nodes over rows of the last axis, for
/// the S4WM and Mamba backbones (their composed TensorCore forms record ~8 and 3
/// nodes with full-size temporaries each, which dominated those training steps).
/// Same math and parameters as the modules' own `callAsFunction(_: Variable)`:
///
///     LayerNorm: y = (x − μ) · r · γ + β,  r = 1/√(σ² + ε) (biased variance)
///       backward: dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = dy ⊙ γ,
///                 dγ = Σ_rows dy ⊙ x̂,  dβ = Σ_rows dy
///     Linear:    y = x Wᵀ + b  (one GEMM); dx = dy W, dW = dyᵀ x (GEMMs), db = Σ_rows dy
///
/// Shapes: x [..., features] → [..., features] / [..., out]. Cost: O(rows·features)
/// per norm; 2·rows·in·out flops per linear (×3 with backward).
enum FusedLayerOps {
    static func layerNorm(_ norm: LayerNorm, _ x: Variable) -> Variable {
        let d = norm.size
        precondition(x.shape.last == d, "layerNorm: input shape \(x.shape), expected [..., \(d)]")
        let rows = x.value.count / d, eps = norm.epsilon
        let tape = x.tape
        let (gamma, beta) = (tape.variable(norm.weight), tape.variable(norm.bias))
        var xhat = Tensor(uninitializedShape: x.shape), rstd = Tensor(uninitializedShape: [rows])
        var y = Tensor(uninitializedShape: x.shape)
        withBuffers([x.value, gamma.value, beta.value]) { p in
            xhat.withUnsafeMutableBufferPointer { ph in
                rstd.withUnsafeMutableBufferPointer { pr in
                    y.withUnsafeMutableBufferPointer { py in
                        let (px, pg, pb) = (p[0].baseAddress!, p[1].baseAddress!, p[2].baseAddress!)
                        for r in 0..<rows {
                            pr[r] = normalizeRow(px + r * d, d, eps, pg, pb, ph.baseAddress! + r * d, py.baseAddress! + r * d)
                        }
                    }
                }
            }
        }
        let gammaValue = gamma.value
        return tape.record(y, inputs: [x, gamma, beta]) { g, _ in
            var dx = Tensor(uninitializedShape: g.shape)
            var dGamma = Tensor(zeros: [d]), dBeta = Tensor(zeros: [d])
            withBuffers([g, xhat, rstd, gammaValue]) { p in
                dx.withUnsafeMutableBufferPointer { pdx in
                    dGamma.withUnsafeMutableBufferPointer { pdg in
                        dBeta.withUnsafeMutableBufferPointer { pdb in
                            let (pg, ph, pr, pw) = (p[0].baseAddress!, p[1].baseAddress!, p[2].baseAddress!, p[3].baseAddress!)
                            for r in 0..<rows {
                                normalizeRowBackward(pg + r * d, ph + r * d, pr[r], pw, d, pdx.baseAddress! + r * d,
                                                     pdg.baseAddress!, pdb.baseAddress!)
                            }
                        }
                    }
                }
            }
            return [dx, dGamma, dBeta]
        }
    }

    static func linear(_ layer: Linear, _ x: Variable) -> Variable {
        let tape = x.tape
        return linear(x, weight: tape.variable(layer.weight), bias: layer.bias.map { tape.variable($0) })
    }

    /// `x Wᵀ + b` for a weight `[out, in]` given as a Variable (e.g. a row slice of a
    /// projection's weight, so a split output needs no activation copy).
    static func linear(_ x: Variable, weight w: Variable, bias b: Variable?) -> Variable {
        let (m, n) = (w.shape[0], w.shape[1])
        precondition(w.rank == 2 && x.shape.last == n && (b == nil || b!.shape == [m]),
                     "linear: input \(x.shape), weight \(w.shape), bias \(b?.shape ?? [])")
        let rows = x.value.count / n
        let tape = x.tape
        let (xValue, wValue) = (x.value, w.value)
        let outShape = Array(x.shape.dropLast()) + [m]
        var y = Tensor(uninitializedShape: outShape)
        withBuffers([xValue, wValue] + (b.map { [$0.value] } ?? [])) { p in
            y.withUnsafeMutableBufferPointer { py in
                let out = py.baseAddress!
                if p.count == 3 {
                    for r in 0..<rows { (out + r * m).update(from: p[2].baseAddress!, count: m) }
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(m), Int32(n), 1,
                            p[0].baseAddress, Int32(n), p[1].baseAddress, Int32(n), p.count == 3 ? 1 : 0, out, Int32(m))
            }
        }
        let inputShape = x.shape
        return tape.record(y, inputs: [x, w] + (b.map { [$0] } ?? [])) { g, needed in
            var dx = Tensor(uninitializedShape: needed[0] ? inputShape : [0])
            var dw = Tensor(uninitializedShape: [m, n])
            var db = Tensor(zeros: [needed.count == 3 ? m : 0])
            withBuffers([g, xValue, wValue]) { p in
                let (pg, px, pw) = (p[0].baseAddress, p[1].baseAddress, p[2].baseAddress)
                if needed[0] {
                    dx.withUnsafeMutableBufferPointer {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(n), Int32(m), 1,
                                    pg, Int32(m), pw, Int32(n), 0, $0.baseAddress, Int32(n))
                    }
                }
                dw.withUnsafeMutableBufferPointer {
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(rows), 1,
                                pg, Int32(m), px, Int32(n), 0, $0.baseAddress, Int32(n))
                }
                if needed.count == 3 {
                    db.withUnsafeMutableBufferPointer { pdb in
                        let gb = pg!
                        for r in 0..<rows { for j in 0..<m { pdb[j] += gb[r * m + j] } }
                    }
                }
            }
            return needed.count == 3 ? [needed[0] ? dx : nil, dw, db] : [needed[0] ? dx : nil, dw]
        }
    }

    // MARK: - Row kernels (8-wide SIMD with a scalar tail)

    @inline(__always) private static func load(_ p: UnsafePointer<Float>, _ j: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ j: Int) {
        UnsafeMutableRawPointer(p + j).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Normalises one row: writes x̂ to `h` and x̂·γ + β to `out`; returns 1/√(σ² + ε).
    @inline(__always)
    private static func normalizeRow(_ x: UnsafePointer<Float>, _ d: Int, _ eps: Float, _ gamma: UnsafePointer<Float>,
                                     _ beta: UnsafePointer<Float>, _ h: UnsafeMutablePointer<Float>,
                                     _ out: UnsafeMutablePointer<Float>) -> Float {
        let v = d & ~7
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j < v { acc += load(x, j); j += 8 }
        var sum = acc.sum()
        for k in v..<d { sum += x[k] }
        let mean = sum / Float(d)
        let m8 = SIMD8<Float>(repeating: mean)
        acc = .zero
        j = 0
        while j < v { let c = load(x, j) - m8; acc += c * c; j += 8 }
        var variance = acc.sum()
        for k in v..<d { let c = x[k] - mean; variance += c * c }
        let rs = 1 / (variance / Float(d) + eps).squareRoot()
        let r8 = SIMD8<Float>(repeating: rs)
        j = 0
        while j < v {
            let n = (load(x, j) - m8) * r8
            store(n, h, j)
            store(n * load(gamma, j) + load(beta, j), out, j)
            j += 8
        }
        for k in v..<d {
            let n = (x[k] - mean) * rs
            h[k] = n
            out[k] = n * gamma[k] + beta[k]
        }
        return rs
    }

    /// One row of the LayerNorm backward: writes `dx`, accumulates `dGamma`, `dBeta`.
    @inline(__always)
    private static func normalizeRowBackward(_ g: UnsafePointer<Float>, _ h: UnsafePointer<Float>, _ rs: Float,
                                             _ gamma: UnsafePointer<Float>, _ d: Int, _ dx: UnsafeMutablePointer<Float>,
                                             _ dGamma: UnsafeMutablePointer<Float>, _ dBeta: UnsafeMutablePointer<Float>) {
        let v = d & ~7
        var aG = SIMD8<Float>(repeating: 0), aGX = SIMD8<Float>(repeating: 0)
        var j = 0
        while j < v {
            let (gj, hj) = (load(g, j), load(h, j))
            let gw = gj * load(gamma, j)
            aG += gw
            aGX += gw * hj
            store(load(dGamma, j) + gj * hj, dGamma, j)
            store(load(dBeta, j) + gj, dBeta, j)
            j += 8
        }
        var meanG = aG.sum(), meanGX = aGX.sum()
        for k in v..<d {
            let gw = g[k] * gamma[k]
            meanG += gw
            meanGX += gw * h[k]
            dGamma[k] += g[k] * h[k]
            dBeta[k] += g[k]
        }
        meanG /= Float(d)
        meanGX /= Float(d)
        let (mg, mgx, r8) = (SIMD8<Float>(repeating: meanG), SIMD8<Float>(repeating: meanGX), SIMD8<Float>(repeating: rs))
        j = 0
        while j < v {
            store(r8 * (load(g, j) * load(gamma, j) - mg - load(h, j) * mgx), dx, j)
            j += 8
        }
        for k in v..<d { dx[k] = rs * (g[k] * gamma[k] - meanG - h[k] * meanGX) }
    }
}
