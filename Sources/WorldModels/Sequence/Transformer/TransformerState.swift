import NN
import TensorCore

/// The recurrent state of a ``TransformerBackbone``: a key/value cache per
/// layer and the inputs of the cached steps, for a batch of rows that have all
/// seen the same number of steps.
///
/// The cache holds one *window*: the latest `cachedSteps` steps, at positions
/// `0 ..< cachedSteps` (slot = position), so its features are those of the
/// parallel forward over exactly those steps. When the window is full the
/// backbone re-anchors it (re-encodes its latest steps from position 0, see
/// ``TransformerBackbone``), which is why the inputs are kept.
/// Memory: rows · context · (2 · layers · d + inputSize) floats.
public struct TransformerState {
    /// Per layer, `[rows, context, d]` cached keys (slots `0 ..< cachedSteps` valid).
    public var keys: [Tensor]
    /// Per layer, `[rows, context, d]` cached values.
    public var values: [Tensor]
    /// `[rows, context, inputSize]` the inputs of the cached steps.
    public var inputs: Tensor
    /// Steps in the current window: the position the next step takes.
    public var cachedSteps: Int
    /// Steps taken since the initial state (may exceed `context`).
    public var stepCount: Int

    /// Number of rows.
    public var rows: Int { inputs.shape[0] }
    /// Slots per cache.
    public var context: Int { inputs.shape[1] }
    /// The step (counted from the initial state) at which the current window starts.
    public var windowStart: Int { stepCount - cachedSteps }
}
