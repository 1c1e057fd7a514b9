/// How a `SequenceWorldModel`'s ensemble imagines replicated rows.
public enum SequencePropagation: String, Sendable, Codable, CaseIterable {
    /// TS-∞ (PETS): particle `p` of every candidate stays with member `p mod E`
    /// for the whole horizon and samples from that member's Gaussian.
    case tsInfinity
    /// Every member tracks every row; the next observation is the mean of the
    /// members' means (no sampling), as `ParticlePropagation.mean`.
    case mean
}

/// Settings of a `SequenceWorldModel` that do not depend on the backbone.
public struct SequenceWorldModelConfiguration: Sendable, Equatable {
    /// Independent members E (separate backbones and heads, trained on their own batches).
    public var members = 1
    /// Predict the next-observation delta's mean only (MSE) instead of a Gaussian (NLL).
    public var deterministic = false
    /// How replicated (planning) states are imagined.
    public var propagation: SequencePropagation = .tsInfinity
    /// Units of the heads' shared SiLU hidden layer (0: linear heads on the features).
    public var headHiddenSize = 64

    public init(members: Int = 1, deterministic: Bool = false, propagation: SequencePropagation = .tsInfinity,
                headHiddenSize: Int = 64) {
        self.members = members
        self.deterministic = deterministic
        self.propagation = propagation
        self.headHiddenSize = headHiddenSize
    }
}
