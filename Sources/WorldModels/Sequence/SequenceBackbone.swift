import NN
import TensorCore

/// A sequence model that maps per-step inputs to per-step features, with two
/// forms that must agree (to 1e-4):
///
/// - **parallel** (training): `callAsFunction(_:resetMask:)` over a whole batch
///   of windows `[batch, time, inputSize]` → `[batch, time, featureSize]`,
///   differentiable on a `Tape` (S4 by convolution or scan, attention over the
///   whole window, a fused scan for Mamba, an unrolled GRU);
/// - **recurrent** (imagination): `step(_:state:)` maps one step `[rows,
///   inputSize]` → `[rows, featureSize]` and advances an explicit batched
///   state, O(1) per step for GRU/S4/Mamba and with a key/value cache for the
///   transformer; no tape.
///
/// Causality: the feature at step t depends on inputs at steps ≤ t only.
///
/// Reset masks: `resetMask[b, t] = 1` means a new episode starts at step t of
/// window b (`SequenceBatch.resetMask`), so nothing before t may influence
/// features at ≥ t in that window (recurrent state zeroed, convolution and
/// attention cut at the boundary). `resetMask` nil means no resets.
///
/// Backbones are `Module`s (their parameters are listed for the optimiser and
/// checkpoints) and are chosen by `model.backbone` in a config.
public protocol SequenceBackbone: Module {
    /// The recurrent state for a batch of rows (hidden state, SSM state,
    /// convolution window, or key/value cache).
    associatedtype RecurrentState

    /// Floats per input step.
    var inputSize: Int { get }
    /// Floats per output feature.
    var featureSize: Int { get }

    /// Parallel, differentiable forward: `[batch, time, inputSize]` → `[batch, time, featureSize]`.
    func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable

    /// The state of `batch` rows before any input (all zero / empty cache).
    func initialState(batch: Int) -> RecurrentState

    /// One recurrent step without a tape: `[rows, inputSize]` → `[rows, featureSize]`.
    func step(_ input: Tensor, state: inout RecurrentState) -> Tensor

    /// One step on *real* data (filtering before imagination). The default is
    /// `step`; a latent-variable backbone (``RSSMBackbone``) uses its posterior
    /// here and its prior in `step`.
    func observe(_ input: Tensor, state: inout RecurrentState) -> Tensor

    /// A state made of the given rows of `state` (repeats allowed): used to
    /// replicate one row for the planner's candidates and particles.
    func gatherRows(_ state: RecurrentState, rows: [Int]) -> RecurrentState
}

extension SequenceBackbone {
    public func observe(_ input: Tensor, state: inout RecurrentState) -> Tensor { step(input, state: &state) }
}
