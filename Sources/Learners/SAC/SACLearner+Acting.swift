import CKernels
import NN
import SeededRandom

extension SACLearner {
    /// Rows per work item of ``act(observations:rows:deterministic:into:using:)``.
    static let actingChunkRows = 512

    /// Actions `[rows, actionSize]` within the bounds for observations `[rows, observationSize]`:
    /// sampled `tanh(μ + σε)·scale + bias`, or deterministic `tanh(μ)·scale + bias`.
    /// `actions` is resized to `rows · actionSize` when it differs. Rows go in chunks of
    /// 512 over the workers; each chunk's ε comes from its own stream seeded by four
    /// draws of `generator` taken in chunk order (so results do not depend on the
    /// scheduling), from the vectorised Box–Muller of `mbrl_fill_normal`.
    public func act(observations: [Float], rows: Int, deterministic: Bool, into actions: inout [Float],
                    using generator: inout SeededGenerator) {
        precondition(rows >= 0 && observations.count == rows * observationSize,
                     "SACLearner.act: \(observations.count) observation values for \(rows) rows of \(observationSize)")
        if actions.count != rows * actionSize { actions = [Float](repeating: 0, count: rows * actionSize) }
        guard rows > 0 else { return }
        if acting == nil { acting = SACActingWorkspace(actor: actor, workers: queue.workers, chunkRows: Self.actingChunkRows) }
        let ws = acting!
        let chunk = ws.chunkRows, chunks = (rows + chunk - 1) / chunk
        if !deterministic { ws.prepareSeeds(chunks: chunks, generator: &generator) }
        let obs = observationSize, act = actionSize, actor = actor
        let scale = scalePointer, bias = biasPointer, seeds = ws.seeds
        let (low, high) = (configuration.logStdMin, configuration.logStdMax)
        observations.withUnsafeBufferPointer { x in
            actions.withUnsafeMutableBufferPointer { out in
                let x = x.baseAddress!, out = out.baseAddress!
                queue.run(count: chunks) { worker, c in
                    let r0 = c * chunk, n = min(chunk, rows - r0)
                    let pass = ws.passes[worker]
                    actor.forward(x + r0 * obs, rows: n, workspace: pass)
                    var noise: UnsafeMutablePointer<Float>?
                    if !deterministic {
                        noise = ws.noise[worker]
                        mbrl_fill_normal(noise!, n * act, seeds + 4 * c)
                    }
                    mbrl_squashed_gaussian_forward(pass.output, noise, n, act, scale, bias, low, high,
                                                   out + r0 * act, act, nil)
                }
            }
        }
    }
}

/// Per-worker buffers of ``SACLearner/act(observations:rows:deterministic:into:using:)``.
final class SACActingWorkspace {
    let chunkRows: Int
    let passes: [DenseNetwork.Workspace]
    let noise: [UnsafeMutablePointer<Float>]
    /// Four xoshiro256** words per chunk (`seedCapacity` chunks).
    private(set) var seeds: UnsafeMutablePointer<UInt64>
    private var seedCapacity = 0

    init(actor: DenseNetwork, workers: Int, chunkRows: Int) {
        self.chunkRows = chunkRows
        passes = (0..<workers).map { _ in actor.makeWorkspace(rows: chunkRows) }
        let act = actor.outputSize / 2
        noise = (0..<workers).map { _ in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * act)
            p.initialize(repeating: 0, count: chunkRows * act)
            return p
        }
        seeds = .allocate(capacity: 0)
    }

    deinit {
        for p in noise { p.deallocate() }
        seeds.deallocate()
    }

    /// Draws four words of `generator` per chunk, in chunk order.
    func prepareSeeds(chunks: Int, generator: inout SeededGenerator) {
        if seedCapacity < chunks {
            seeds.deallocate()
            seeds = .allocate(capacity: 4 * chunks)
            seedCapacity = chunks
        }
        for c in 0..<chunks { seedNormalStream(seeds + 4 * c, from: &generator) }
    }
}

/// Four words of `generator` as a xoshiro256** state for `mbrl_fill_normal` (never all zero).
func seedNormalStream(_ state: UnsafeMutablePointer<UInt64>, from generator: inout SeededGenerator) {
    for k in 0..<4 { state[k] = generator.next() }
    state[3] |= 1
}

/// `count` standard normal draws into `buffer` from the vectorised Box–Muller of
/// `mbrl_fill_normal`, on a stream seeded by four draws of `generator` (as
/// WorldModels' `fillStandardNormalFast`, which this target cannot see).
func fillStandardNormal(_ buffer: UnsafeMutablePointer<Float>, count: Int, using generator: inout SeededGenerator) {
    guard count > 0 else { return }
    var state: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    withUnsafeMutableBytes(of: &state) { raw in
        let words = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
        seedNormalStream(words, from: &generator)
        mbrl_fill_normal(buffer, count, words)
    }
}
