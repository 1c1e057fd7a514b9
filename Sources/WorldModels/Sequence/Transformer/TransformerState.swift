import NN
import TensorCore

/// The recurrent state of a ``TransformerBackbone``: a key/value cache per
/// layer for a batch of rows, all rows having seen the same number of steps.
///
/// Each cache is a ring of `context` slots, `[rows, context, d]`: step k writes
/// slot `k mod context`, so once full the oldest step is overwritten (dropped).
/// Attention is order-free within the cache (positions enter through the
/// residual stream, not the keys' order), so no shifting is needed.
/// Memory: 2 · layers · rows · context · d floats.
public struct TransformerState {
    /// Per layer, `[rows, context, d]` cached keys.
    public var keys: [Tensor]
    /// Per layer, `[rows, context, d]` cached values.
    public var values: [Tensor]
    /// Steps taken since the initial state (may exceed `context`).
    public var stepCount: Int

    /// Number of rows.
    public var rows: Int { keys.first?.shape[0] ?? 0 }
    /// Slots per cache.
    public var context: Int { keys.first?.shape[1] ?? 0 }
    /// Steps currently held in the cache: min(stepCount, context).
    public var cachedSteps: Int { min(stepCount, context) }
}
