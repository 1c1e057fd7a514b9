import Foundation

/// How many parts a sequence kernel splits its batch dimension into (then run
/// by ``ParallelFor/chunks(count:parts:_:)``): one, inline on the calling
/// thread, unless the work is large enough to pay for the dispatch (a few
/// microseconds).
///
/// Parts are contiguous batch ranges of near-equal size, up to
/// `chunksPerProcessor` per active processor: a few more chunks than cores let
/// a core that was descheduled (a busy machine) hand its remaining chunks to
/// the others, while per-chunk partial sums (for gradients of shared
/// parameters) stay few and small.
enum BatchParallel {
    /// Work (in multiply-adds) below which a call stays on one thread.
    static let minimumParallelWork = 1 << 17
    /// Chunks per active processor (load balance vs. partial-sum overhead).
    static let chunksPerProcessor = 4

    /// Number of chunks for `batch` items costing `workPerItem` multiply-adds each.
    static func chunkCount(batch: Int, workPerItem: Int) -> Int {
        guard batch > 1, batch * workPerItem >= minimumParallelWork else { return batch > 0 ? 1 : 0 }
        return min(batch, chunksPerProcessor * ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Runs `body(batchRange, scratch)` over `batch` split into `chunks` parts
    /// (``ParallelFor/chunks(count:parts:_:)``), each part with its own zeroed
    /// scratch of `perChunk` floats; then writes, for every `(output, offset)` of
    /// `sums`, output[i] = Σ over parts (in order) of scratch[offset + i]: the
    /// per-part partial gradients of parameters shared by the whole batch.
    static func runSummingPartials(batch: Int, chunks: Int, perChunk: Int,
                                   sums: [(output: UnsafeMutableBufferPointer<Float>, offset: Int)],
                                   _ body: (_ batchRange: Range<Int>, _ scratch: UnsafeMutablePointer<Float>) -> Void) {
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: perChunk * chunks)
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0)
        ParallelFor.chunks(count: batch, parts: chunks) { chunk, r in body(r, scratch.kernelBase + chunk * perChunk) }
        for (output, offset) in sums {
            for i in 0 ..< output.count {
                var s: Float = 0
                for c in 0 ..< chunks { s += scratch[c * perChunk + offset + i] }
                output[i] = s
            }
        }
    }
}

extension UnsafeBufferPointer where Element == Float {
    /// Base address (non-nil; empty buffers are rejected by callers' shape checks).
    @inline(__always) var kernelBase: UnsafePointer<Float> { baseAddress! }
}

extension UnsafeMutableBufferPointer where Element == Float {
    @inline(__always) var kernelBase: UnsafeMutablePointer<Float> { baseAddress! }
}

/// Checks a buffer's element count against the shape it should have
/// (a programmer error, so a precondition naming the kernel, buffer and shape).
@inline(__always)
func checkKernelBuffer(_ count: Int, _ expected: [Int], _ name: String, _ kernel: String) {
    precondition(count == expected.reduce(1, *),
                 "\(kernel): \(name) has \(count) elements, expected shape \(expected) (\(expected.reduce(1, *)) elements)")
}
