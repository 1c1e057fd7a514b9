import CKernels

// Binary element-wise arithmetic with NumPy broadcasting (see `Broadcasting`):
// forward on `Tensor`, and the same ops on `Variable` with their backward rules.
// Backward of a broadcast operand sums the gradient over the broadcast axes.

// MARK: - Tensor forward

extension Tensor {
    /// `out = a (op) b` with broadcasting into a reused buffer (no allocation when `out.count` already matches).
    public static func add(_ a: Tensor, _ b: Tensor, into out: inout Tensor) { Broadcasting.apply(Int32(MBRL_ADD), a, b, into: &out, name: "add") }
    /// See ``add(_:_:into:)``.
    public static func subtract(_ a: Tensor, _ b: Tensor, into out: inout Tensor) { Broadcasting.apply(Int32(MBRL_SUB), a, b, into: &out, name: "subtract") }
    /// See ``add(_:_:into:)``.
    public static func multiply(_ a: Tensor, _ b: Tensor, into out: inout Tensor) { Broadcasting.apply(Int32(MBRL_MUL), a, b, into: &out, name: "multiply") }
    /// See ``add(_:_:into:)``.
    public static func divide(_ a: Tensor, _ b: Tensor, into out: inout Tensor) { Broadcasting.apply(Int32(MBRL_DIV), a, b, into: &out, name: "divide") }

    static func binary(_ op: Int32, _ a: Tensor, _ b: Tensor, _ name: String) -> Tensor {
        var out = Tensor(zeros: [0])
        Broadcasting.apply(op, a, b, into: &out, name: name)
        return out
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(Int32(MBRL_ADD), a, b, "+") }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(Int32(MBRL_SUB), a, b, "-") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(Int32(MBRL_MUL), a, b, "*") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(Int32(MBRL_DIV), a, b, "/") }
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }
    public static prefix func - (a: Tensor) -> Tensor { a.negated() }

    /// Element-wise minimum with broadcasting.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(Int32(MBRL_MIN), a, b, "minimum") }
    /// Element-wise maximum with broadcasting.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(Int32(MBRL_MAX), a, b, "maximum") }

    /// `self` broadcast to `shape` (a materialised copy).
    public func broadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let out = Tensor.binary(Int32(MBRL_ADD), self, Tensor(zeros: shape), "broadcast(to:)")
        precondition(out.shape == shape, "broadcast(to:): \(self.shape) does not broadcast to \(shape)")
        return out
    }
}

// MARK: - Variable: forward + backward

extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable {
        let (sa, sb) = (a.shape, b.shape)
        return a.tape.record(a.value + b.value, inputs: [a, b]) { g, need in
            [need[0] ? g.summed(toShape: sa) : nil, need[1] ? g.summed(toShape: sb) : nil]
        }
    }

    public static func - (a: Variable, b: Variable) -> Variable {
        let (sa, sb) = (a.shape, b.shape)
        return a.tape.record(a.value - b.value, inputs: [a, b]) { g, need in
            [need[0] ? g.summed(toShape: sa) : nil, need[1] ? (-g).summed(toShape: sb) : nil]
        }
    }

    public static func * (a: Variable, b: Variable) -> Variable {
        let (va, vb) = (a.value, b.value)
        return a.tape.record(va * vb, inputs: [a, b]) { g, need in
            [need[0] ? (g * vb).summed(toShape: va.shape) : nil, need[1] ? (g * va).summed(toShape: vb.shape) : nil]
        }
    }

    public static func / (a: Variable, b: Variable) -> Variable {
        let (va, vb) = (a.value, b.value)
        let out = va / vb
        return a.tape.record(out, inputs: [a, b]) { g, need in
            [need[0] ? (g / vb).summed(toShape: va.shape) : nil,
             need[1] ? (-(g * out) / vb).summed(toShape: vb.shape) : nil]
        }
    }

    public static func + (a: Variable, b: Float) -> Variable {
        a.tape.record(a.value + b, inputs: [a]) { g, _ in [g] }
    }
    public static func - (a: Variable, b: Float) -> Variable { a + (-b) }
    public static func * (a: Variable, b: Float) -> Variable {
        a.tape.record(a.value * b, inputs: [a]) { g, _ in [g * b] }
    }
    public static func / (a: Variable, b: Float) -> Variable { a * (1 / b) }
    public static func + (a: Float, b: Variable) -> Variable { b + a }
    public static func - (a: Float, b: Variable) -> Variable { (-b) + a }
    public static func * (a: Float, b: Variable) -> Variable { b * a }
    public static func / (a: Float, b: Variable) -> Variable { b.tape.constant(Tensor(a)) / b }

    /// Variable (op) constant tensor, broadcasting.
    public static func + (a: Variable, b: Tensor) -> Variable { a + a.tape.constant(b) }
    public static func - (a: Variable, b: Tensor) -> Variable { a - a.tape.constant(b) }
    public static func * (a: Variable, b: Tensor) -> Variable { a * a.tape.constant(b) }
    public static func / (a: Variable, b: Tensor) -> Variable { a / a.tape.constant(b) }

    /// Element-wise minimum; the gradient goes to `a` where `a <= b`, else to `b`.
    public static func minimum(_ a: Variable, _ b: Variable) -> Variable { select(a, b, name: "minimum", pickA: { $0 <= $1 }) }
    /// Element-wise maximum; the gradient goes to `a` where `a >= b`, else to `b`.
    public static func maximum(_ a: Variable, _ b: Variable) -> Variable { select(a, b, name: "maximum", pickA: { $0 >= $1 }) }

    private static func select(_ a: Variable, _ b: Variable, name: String, pickA: @escaping (Float, Float) -> Bool) -> Variable {
        let shape = Broadcasting.resultShape(a.shape, b.shape, op: name)
        let ba = a.value.broadcast(to: shape), bb = b.value.broadcast(to: shape)
        var out = ba
        var mask = [Bool](repeating: false, count: out.count)
        for i in 0..<out.count {
            mask[i] = pickA(ba.scalars[i], bb.scalars[i])
            out.scalars[i] = mask[i] ? ba.scalars[i] : bb.scalars[i]
        }
        let (sa, sb) = (a.shape, b.shape)
        return a.tape.record(out, inputs: [a, b]) { g, need in
            var ga = g, gb = g
            for i in 0..<g.count { if mask[i] { gb.scalars[i] = 0 } else { ga.scalars[i] = 0 } }
            return [need[0] ? ga.summed(toShape: sa) : nil, need[1] ? gb.summed(toShape: sb) : nil]
        }
    }
}
