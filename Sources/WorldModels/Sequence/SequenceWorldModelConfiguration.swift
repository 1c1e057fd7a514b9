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
    /// Heads read the step's own normalised input `x_t = [o_t, a_t]` beside the
    /// backbone feature `f_t` (a skip connection around the backbone). The
    /// one-step prediction then never has to squeeze `o_t` through the
    /// backbone's state: it matters most for the GRU, whose gated tanh state
    /// holds precise values poorly, and changes nothing about memory (`x_t` is
    /// what a memoryless model sees).
    public var headInputSkip = true

    public init(members: Int = 1, deterministic: Bool = false, propagation: SequencePropagation = .tsInfinity,
                headHiddenSize: Int = 64, headInputSkip: Bool = true) {
        self.members = members
        self.deterministic = deterministic
        self.propagation = propagation
        self.headHiddenSize = headHiddenSize
        self.headInputSkip = headInputSkip
    }
}
