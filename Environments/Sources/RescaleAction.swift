/// Rescales a bounded `Box` action space to `[minAction, maxAction]` (Gymnasium's
/// `RescaleAction`): an action `a` in the new box is mapped affinely to
/// `low + (high − low) · (a − minAction) / (maxAction − minAction)` in the inner box.
/// Actions outside the new box are errors. Cost: one multiply-add per component.
public struct RescaleAction<Inner: Environment>: Environment {
    public var inner: Inner
    public let minAction: Float
    public let maxAction: Float
    let innerBox: Box
    let outerBox: Box
    var buffer: [Float]

    /// The inner action space must be a bounded `Box` and `minAction < maxAction`;
    /// otherwise an error naming what was found.
    public init(_ inner: Inner, minAction: Float = -1, maxAction: Float = 1) throws {
        guard case .box(let box) = inner.actionSpace, box.isBounded else {
            throw EnvironmentError.invalid("RescaleAction needs a bounded Box action space, got \(inner.actionSpace)")
        }
        guard minAction < maxAction, minAction.isFinite, maxAction.isFinite else {
            throw EnvironmentError.invalid("RescaleAction: need finite minAction < maxAction, got \(minAction), \(maxAction)")
        }
        self.inner = inner
        self.minAction = minAction
        self.maxAction = maxAction
        innerBox = box
        outerBox = Box(low: minAction, high: maxAction, shape: box.shape)
        buffer = [Float](repeating: 0, count: box.size)
    }

    public var observationSpace: Space { inner.observationSpace }
    public var actionSpace: Space { .box(outerBox) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult { try inner.reset(seed: seed) }

    public mutating func step(_ action: Action) throws -> StepResult {
        let a = try boxVector(action, box: outerBox, environment: "RescaleAction<\(Inner.self)>")
        let span = maxAction - minAction
        for i in 0..<a.count {
            let lo = innerBox.low[i], hi = innerBox.high[i]
            // Clamp guards against rounding just outside the inner box.
            buffer[i] = min(max(lo + (hi - lo) * ((a[i] - minAction) / span), lo), hi)
        }
        return try inner.step(.continuous(buffer))
    }

    public func snapshot() -> EnvironmentSnapshot? { inner.snapshot() }
    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws { try inner.restore(snapshot) }
}
