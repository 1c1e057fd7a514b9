import NN
import SeededRandom
import TensorCore

/// A block of a ``ResidualBlockStack``: a residual block `[B, T, d]` → `[B, T, d]`
/// whose only operation across time steps is cut at `resetMask[b, t] = 1`
/// (``S4WMBlock``, ``MambaBlock``).
public protocol ResidualSequenceBlock: Module {
    /// Parallel, differentiable forward over whole windows.
    func callAsFunction(_ x: Variable, resetMask: Tensor?) -> Variable
}

/// The shell of the state-space backbones, torch_bench's `S4DModel` and
/// `MambaModel` without their heads: `inp` = Linear(input → d_model), the
/// residual `blocks.{i}`, and a final `norm` = LayerNorm(d_model). Features are
/// the normalised block outputs.
///
/// Parallel form: the fused input projection and norm (``NN/Linear/fused(_:threads:)``,
/// ``NN/LayerNorm/fused(_:threads:)``: one tape node each) around the blocks.
/// Recurrent form: ``step(_:_:)`` runs the unfused layers on tensors and lets the
/// owner advance each block with its own state.
public struct ResidualBlockStack<Block: ResidualSequenceBlock> {
    /// The owning backbone's name, for messages.
    public let owner: String
    public let inputSize: Int
    public let modelSize: Int
    public let inputProjection: Linear
    public let blocks: [Block]
    public let norm: LayerNorm

    /// Draws the input projection, then the `layers` blocks in order (`makeBlock`), from `generator`.
    public init(owner: String, inputSize: Int, modelSize: Int, layers: Int, generator: inout SeededGenerator,
                makeBlock: (inout SeededGenerator) -> Block) {
        precondition(inputSize > 0 && modelSize > 0 && layers > 0,
                     "\(owner): sizes must be positive, got input \(inputSize), d_model \(modelSize), layers \(layers)")
        (self.owner, self.inputSize, self.modelSize) = (owner, inputSize, modelSize)
        inputProjection = Linear(inputSize: inputSize, outputSize: modelSize, generator: &generator)
        var b = [Block]()
        for _ in 0..<layers { b.append(makeBlock(&generator)) }
        blocks = b
        norm = LayerNorm(size: modelSize)
    }

    /// `inp.*`, `blocks.{i}.*`, `norm.*`.
    public func namedParameters() -> [(String, Parameter)] {
        prefixed("inp", inputProjection) + blocks.enumerated().flatMap { prefixed("blocks.\($0.offset)", $0.element) }
            + prefixed("norm", norm)
    }

    /// Parallel, differentiable: `[batch, time, input]` → `[batch, time, d_model]`;
    /// `resetMask` `[batch, time]` (nil: no episode starts inside the windows). The input
    /// projection and the final norm split their rows over `threads` workers (the blocks
    /// run with their own setting).
    public func callAsFunction(_ input: Variable, resetMask: Tensor?, threads: Int = 1) -> Variable {
        precondition(input.rank == 3 && input.shape[2] == inputSize,
                     "\(owner): input shape \(input.shape), expected [batch, time, \(inputSize)]")
        if let m = resetMask {
            precondition(m.shape == [input.shape[0], input.shape[1]],
                         "\(owner): reset mask shape \(m.shape), expected \([input.shape[0], input.shape[1]])")
        }
        var h = inputProjection.fused(input, threads: threads)
        for block in blocks { h = block(h, resetMask: resetMask) }
        return norm.fused(h, threads: threads)
    }

    /// One recurrent step without a tape: `[rows, input]` → `[rows, d_model]`;
    /// `advance(i, h)` runs block i on `h` (advancing its state).
    public func step(_ input: Tensor, _ advance: (_ block: Int, _ h: Tensor) -> Tensor) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize,
                     "\(owner).step: input shape \(input.shape), expected [rows, \(inputSize)]")
        var h = inputProjection(input)
        for i in blocks.indices { h = advance(i, h) }
        return norm(h)
    }
}

/// A sequence backbone that is a ``ResidualBlockStack``: its sizes, parameters
/// and parallel form are the stack's; it adds the recurrent state of its blocks.
public protocol ResidualStackBackbone: SequenceBackbone {
    associatedtype Block: ResidualSequenceBlock
    /// The projection, blocks and final norm.
    var stack: ResidualBlockStack<Block> { get }
}

extension ResidualStackBackbone {
    public var inputSize: Int { stack.inputSize }
    public var modelSize: Int { stack.modelSize }
    public var featureSize: Int { stack.modelSize }
    public var inputProjection: Linear { stack.inputProjection }
    public var blocks: [Block] { stack.blocks }
    public var norm: LayerNorm { stack.norm }

    public func namedParameters() -> [(String, Parameter)] { stack.namedParameters() }

    public func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable { stack(input, resetMask: resetMask) }
}
