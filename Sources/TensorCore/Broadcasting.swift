import CKernels

/// NumPy broadcasting for TensorCore's binary element-wise ops.
///
/// Shapes are aligned at their last axis; missing leading axes count as 1 and
/// an axis of extent 1 repeats to match the other operand. The common cases —
/// equal shapes, a scalar, a row (`[N]` against `[..., N]`) and a column
/// (`[..., 1]`) — run as single vectorised kernel calls per row; any other
/// pattern runs row by row with per-row offsets.
enum Broadcasting {
    /// Broadcast result shape, or a precondition failure naming both shapes.
    static func resultShape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            if pa[i] == pb[i] || pb[i] == 1 { out[i] = pa[i] } else if pa[i] == 1 { out[i] = pb[i] } else {
                preconditionFailure("\(op): shapes \(a) and \(b) cannot be broadcast together")
            }
        }
        return out
    }

    /// Row-major strides of `shape` left-padded to `rank`, with 0 on broadcast axes.
    static func strides(_ shape: [Int], rank: Int, against out: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: rank - shape.count) + shape
        var strides = [Int](repeating: 0, count: rank)
        var s = 1
        for i in stride(from: rank - 1, through: 0, by: -1) {
            strides[i] = (padded[i] == 1 && out[i] != 1) ? 0 : s
            s *= padded[i]
        }
        return strides
    }

    /// Calls `body(rowIndex, aOffset, bOffset)` for every row (all axes but the
    /// last) of the broadcast `out` shape.
    static func forEachRow(out: [Int], aStrides: [Int], bStrides: [Int], _ body: (Int, Int, Int) -> Void) {
        let rank = out.count
        if rank <= 1 { body(0, 0, 0); return }
        let rows = out.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: rank - 1)
        var ao = 0, bo = 0
        for r in 0..<rows {
            body(r, ao, bo)
            // increment the multi-index over the leading axes
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                ao += aStrides[axis]
                bo += bStrides[axis]
                if index[axis] < out[axis] { break }
                ao -= aStrides[axis] * out[axis]
                bo -= bStrides[axis] * out[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// out = a (op) b with broadcasting, written into `out` (reusing its storage when the count matches).
    static func apply(_ op: Int32, _ a: Tensor, _ b: Tensor, into out: inout Tensor, name: String) {
        let shape = a.shape == b.shape ? a.shape : resultShape(a.shape, b.shape, op: name)
        out.prepare(shape: shape)
        let n = out.count
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    if a.count == n && b.count == n {
                        mbrl_binary(op, pa.baseAddress, 1, pb.baseAddress, 1, po.baseAddress, n)
                    } else if a.count == n && b.count == 1 {
                        mbrl_binary(op, pa.baseAddress, 1, pb.baseAddress, 0, po.baseAddress, n)
                    } else if a.count == 1 && b.count == n {
                        mbrl_binary(op, pa.baseAddress, 0, pb.baseAddress, 1, po.baseAddress, n)
                    } else {
                        let rank = shape.count
                        let sa = strides(a.shape, rank: rank, against: shape)
                        let sb = strides(b.shape, rank: rank, against: shape)
                        let cols = shape.last ?? 1
                        forEachRow(out: shape, aStrides: sa, bStrides: sb) { r, ao, bo in
                            mbrl_binary(op, pa.baseAddress! + ao, sa[rank - 1] == 0 ? 0 : 1,
                                        pb.baseAddress! + bo, sb[rank - 1] == 0 ? 0 : 1,
                                        po.baseAddress! + r * cols, cols)
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// Sums `self` down to `target` shape, undoing a broadcast (the backward of
    /// every broadcasting op): axes where `target` has extent 1 (or is missing)
    /// are summed.
    public func summed(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        if target.reduce(1, *) == 1 {
            var s = 0.0
            for v in scalars { s += Double(v) }
            return Tensor(shape: target, scalars: [Float(s)])
        }
        let check = Broadcasting.resultShape(shape, target, op: "summed(toShape:)")
        precondition(check == shape, "summed(toShape:): \(target) does not broadcast to \(shape)")
        let rank = shape.count
        let st = Broadcasting.strides(target, rank: rank, against: shape)
        var out = Tensor(zeros: target)
        let cols = shape.last ?? 1
        let lastFull = st[rank - 1] != 0
        withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                Broadcasting.forEachRow(out: shape, aStrides: st, bStrides: st) { r, to, _ in
                    let row = px.baseAddress! + r * cols
                    if lastFull {
                        mbrl_binary(Int32(MBRL_ADD), po.baseAddress! + to, 1, row, 1, po.baseAddress! + to, cols)
                    } else {
                        var s: Float = 0
                        for j in 0..<cols { s += row[j] }
                        po[to] += s
                    }
                }
            }
        }
        return out
    }

    /// Adds `other` (same shape) into `self` in place.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add: shapes \(shape) and \(other.shape) differ")
        let n = count
        other.withUnsafeBufferPointer { pb in
            withUnsafeMutableBufferPointer { pa in
                mbrl_binary(Int32(MBRL_ADD), pa.baseAddress, 1, pb.baseAddress, 1, pa.baseAddress, n)
            }
        }
    }
}

extension Tensor {
    /// `self += other` in place, where `other` broadcasts to `self.shape`
    /// (e.g. a bias row added to every row of a batch). No allocation.
    public mutating func add(broadcasting other: Tensor) {
        if other.shape == shape { add(other); return }
        let shape = self.shape
        precondition(Broadcasting.resultShape(shape, other.shape, op: "add(broadcasting:)") == shape,
                     "add(broadcasting:): \(other.shape) does not broadcast to \(shape)")
        let rank = shape.count
        let sb = Broadcasting.strides(other.shape, rank: rank, against: shape)
        let cols = shape.last ?? 1
        other.withUnsafeBufferPointer { pb in
            withUnsafeMutableBufferPointer { pa in
                Broadcasting.forEachRow(out: shape, aStrides: sb, bStrides: sb) { r, bo, _ in
                    let row = pa.baseAddress! + r * cols
                    mbrl_binary(Int32(MBRL_ADD), row, 1, pb.baseAddress! + bo, sb[rank - 1] == 0 ? 0 : 1, row, cols)
                }
            }
        }
    }
}
