/// Clips continuous actions into the inner `Box` (Gymnasium's `ClipAction`): the
/// action space becomes the unbounded box of the same shape, and each component
/// is clipped to `[low, high]` before stepping. Wrong lengths and NaNs are still
/// errors (clipping cannot fix them). Cost: one clamp per component.
public struct ClipAction<Inner: Environment>: Environment {
    public var inner: Inner
    let innerBox: Box
    let outerBox: Box
    var buffer: [Float]

    /// The inner action space must be a `Box`.
    public init(_ inner: Inner) throws {
        guard case .box(let box) = inner.actionSpace else {
            throw EnvironmentError.invalid("ClipAction needs a Box action space, got \(inner.actionSpace)")
        }
        self.inner = inner
        innerBox = box
        outerBox = Box(low: -.infinity, high: .infinity, shape: box.shape)
        buffer = [Float](repeating: 0, count: box.size)
    }

    public var observationSpace: Space { inner.observationSpace }
    public var actionSpace: Space { .box(outerBox) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult { try inner.reset(seed: seed) }

    public mutating func step(_ action: Action) throws -> StepResult {
        guard case .continuous(let a) = action, a.count == innerBox.size, !a.contains(where: \.isNaN) else {
            throw EnvironmentError.actionOutOfSpace(environment: "ClipAction<\(Inner.self)>", action: action.description,
                                                    space: outerBox.description + " (no NaN)")
        }
        for i in 0..<a.count { buffer[i] = min(max(a[i], innerBox.low[i]), innerBox.high[i]) }
        return try inner.step(.continuous(buffer))
    }

    public func snapshot() -> EnvironmentSnapshot? { inner.snapshot() }
    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws { try inner.restore(snapshot) }
}
