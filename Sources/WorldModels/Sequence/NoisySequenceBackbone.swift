import SeededRandom

/// A backbone that draws noise from a stream it keeps between calls (the
/// RSSM's ε for its latent samples). `SequenceWorldModel.checkpoint()` saves
/// the stream and `load(checkpointAt:)` restores it, so a resumed run draws
/// the same noise as an uninterrupted one.
public protocol NoisySequenceBackbone: AnyObject {
    var noiseGenerator: SeededGenerator { get set }
}

extension RSSMBackbone: NoisySequenceBackbone {}
