// Shape manipulation: reshape, transpose of the last two axes, concatenation,
// split and slice along an axis, row gathering (index-select on axis 0) and
// causal masks. All results are contiguous copies except `reshaped`, which
// shares storage (copy-on-write). Each Variable op's backward is its adjoint
// (reshape back, transpose back, slice, zero-pad, scatter-add).

extension Tensor {
    /// Swaps the last two axes (a copy): `[..., M, N]` → `[..., N, M]`.
    /// Prefer `matmul(transposeA:transposeB:)` where a product follows.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed: needs rank >= 2, got shape \(shape)")
        let m = shape[rank - 2], n = shape[rank - 1]
        let batch = count / Swift.max(m * n, 1)
        var out = Tensor(zeros: Array(shape.dropLast(2)) + [n, m])
        withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                for b in 0..<batch {
                    let src = px.baseAddress! + b * m * n, dst = po.baseAddress! + b * m * n
                    for i in 0..<m { for j in 0..<n { dst[j * m + i] = src[i * n + j] } }
                }
            }
        }
        return out
    }

    /// Joins tensors along `axis`; all other extents must agree.
    public static func concatenate(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concatenate: no tensors")
        let first = parts[0]
        let a = first.normalizedAxis(axis)
        for p in parts {
            precondition(p.rank == first.rank && p.shape[..<a] == first.shape[..<a] && p.shape[(a + 1)...] == first.shape[(a + 1)...],
                         "concatenate: shapes \(first.shape) and \(p.shape) differ off axis \(axis)")
        }
        var shape = first.shape
        shape[a] = parts.reduce(0) { $0 + $1.shape[a] }
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        var out = [Float]()
        out.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for p in parts {
                let len = p.shape[a] * inner
                out.append(contentsOf: p.scalars[(o * len)..<((o + 1) * len)])
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// The sub-tensor with indices `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice: range \(range) out of bounds for axis \(axis) of shape \(shape)")
        let (outer, n, inner) = split3(a)
        var s = shape
        s[a] = range.count
        var out = [Float]()
        out.reserveCapacity(s.reduce(1, *))
        for o in 0..<outer {
            out.append(contentsOf: scalars[((o * n + range.lowerBound) * inner)..<((o * n + range.upperBound) * inner)])
        }
        return Tensor(shape: s, scalars: out)
    }

    /// Splits along `axis` into consecutive pieces of the given sizes (which must sum to the extent).
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let a = normalizedAxis(axis)
        precondition(sizes.reduce(0, +) == shape[a], "split: sizes \(sizes) do not sum to extent \(shape[a]) of axis \(axis) in shape \(shape)")
        var start = 0
        return sizes.map { n in defer { start += n }; return slice(axis: a, start..<(start + n)) }
    }

    /// Rows `indices` of axis 0 (index-select / gather): `[N, ...]` → `[indices.count, ...]`.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatherRows: needs rank >= 1")
        let rows = shape[0], width = count / Swift.max(rows, 1)
        var out = [Float]()
        out.reserveCapacity(indices.count * width)
        for i in indices {
            precondition(i >= 0 && i < rows, "gatherRows: index \(i) out of range 0..<\(rows) for shape \(shape)")
            out.append(contentsOf: scalars[(i * width)..<((i + 1) * width)])
        }
        return Tensor(shape: [indices.count] + shape.dropFirst(), scalars: out)
    }

    /// An additive causal attention mask `[size, size]`: 0 where column ≤ row, −∞ above the diagonal
    /// (as `torch.nn.Transformer.generate_square_subsequent_mask`).
    public static func causalMask(size: Int) -> Tensor {
        var t = Tensor(zeros: [size, size])
        for i in 0..<size { for j in (i + 1)..<Swift.max(size, i + 1) { t.scalars[i * size + j] = -.infinity } }
        return t
    }
}

extension Variable {
    /// Same values under a new shape (one extent may be −1).
    public func reshaped(_ shape: [Int]) -> Variable {
        let old = self.shape
        return tape.record(value.reshaped(shape), inputs: [self]) { g, _ in [g.reshaped(old)] }
    }

    /// Swaps the last two axes.
    public func transposed() -> Variable {
        tape.record(value.transposed(), inputs: [self]) { g, _ in [g.transposed()] }
    }

    /// Joins variables along `axis`; backward slices the gradient back apart.
    public static func concatenate(_ parts: [Variable], axis: Int) -> Variable {
        precondition(!parts.isEmpty, "concatenate: no variables")
        let out = Tensor.concatenate(parts.map(\.value), axis: axis)
        let a = out.normalizedAxis(axis)
        let sizes = parts.map { $0.shape[a] }
        return parts[0].tape.record(out, inputs: parts) { g, need in
            let pieces = g.split(sizes: sizes, axis: a)
            return pieces.enumerated().map { need[$0.offset] ? $0.element : nil }
        }
    }

    /// The sub-variable with indices `range` along `axis`; backward zero-pads.
    public func slice(axis: Int, _ range: Range<Int>) -> Variable {
        let x = value
        let a = x.normalizedAxis(axis)
        return tape.record(x.slice(axis: a, range), inputs: [self]) { g, _ in
            var parts: [Tensor] = []
            var before = x.shape, after = x.shape
            before[a] = range.lowerBound
            after[a] = x.shape[a] - range.upperBound
            if range.lowerBound > 0 { parts.append(Tensor(zeros: before)) }
            parts.append(g)
            if after[a] > 0 { parts.append(Tensor(zeros: after)) }
            return [Tensor.concatenate(parts, axis: a)]
        }
    }

    /// Consecutive slices of the given sizes along `axis`.
    public func split(sizes: [Int], axis: Int) -> [Variable] {
        let a = value.normalizedAxis(axis)
        precondition(sizes.reduce(0, +) == shape[a], "split: sizes \(sizes) do not sum to extent \(shape[a]) of axis \(axis) in shape \(shape)")
        var start = 0
        return sizes.map { n in defer { start += n }; return slice(axis: a, start..<(start + n)) }
    }

    /// Rows `indices` of axis 0; backward scatter-adds (repeated indices accumulate).
    public func gatherRows(_ indices: [Int]) -> Variable {
        let shape = self.shape
        let width = value.count / Swift.max(shape[0], 1)
        return tape.record(value.gatherRows(indices), inputs: [self]) { g, _ in
            var gx = Tensor(zeros: shape)
            for (r, i) in indices.enumerated() {
                for j in 0..<width { gx.scalars[i * width + j] += g.scalars[r * width + j] }
            }
            return [gx]
        }
    }
}
