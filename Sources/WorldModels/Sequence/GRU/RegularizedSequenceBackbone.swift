import NN

/// A sequence backbone whose parallel forward also produces a loss term the
/// trainer must add to the model loss (e.g. the KL term of ``RSSMBackbone``).
///
/// Contract: after `callAsFunction(_:resetMask:)` on a tape, `regularizationLoss`
/// is a scalar `Variable` on that same tape (already weighted, ready to add),
/// replaced by the next forward. A trainer does
/// `if let r = (backbone as? any RegularizedSequenceBackbone)?.regularizationLoss { loss = loss + r }`
/// right after the backbone's forward.
public protocol RegularizedSequenceBackbone: SequenceBackbone {
    /// The weighted regularisation term of the most recent parallel forward, nil before any.
    var regularizationLoss: Variable? { get }
}
