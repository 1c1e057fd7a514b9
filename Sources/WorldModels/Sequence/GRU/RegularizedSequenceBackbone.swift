import NN
import TensorCore

/// A sequence backbone whose parallel forward also produces a loss term the
/// trainer must add to the model loss (e.g. the KL term of ``RSSMBackbone``).
///
/// Contract: after `callAsFunction(_:resetMask:)` on a tape, `takeRegularizationLoss()`
/// returns a scalar `Variable` on that same tape (already weighted, ready to add)
/// and forgets it (so the backbone stops holding the tape); a second call
/// returns nil; the next forward replaces an untaken term. A trainer does, right
/// after the backbone's forward,
///
///     if let r = (backbone as? any RegularizedSequenceBackbone)?.takeRegularizationLoss() { loss = loss + r }
public protocol RegularizedSequenceBackbone: SequenceBackbone {
    /// The weighted regularisation term of the most recent parallel forward (nil if
    /// none or already taken); the backbone drops its reference.
    func takeRegularizationLoss() -> Variable?
}
