import Dispatch
import Foundation

/// Splits the batch dimension of a sequence kernel over the cores with
/// `DispatchQueue.concurrentPerform`, when the work is large enough to pay for
/// the dispatch (a few microseconds); otherwise runs inline on the calling thread.
///
/// Chunks are contiguous batch ranges of near-equal size, up to
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

    /// The batch range of chunk `index` out of `chunks`.
    static func range(chunk index: Int, of chunks: Int, batch: Int) -> Range<Int> {
        let base = batch / chunks, extra = batch % chunks
        let start = index * base + min(index, extra)
        return start ..< start + base + (index < extra ? 1 : 0)
    }

    /// Runs `body(chunk, batchRange)` for every chunk, in parallel when `chunks > 1`.
    static func run(batch: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        if chunks <= 1 {
            if batch > 0 { body(0, 0 ..< batch) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            body(index, range(chunk: index, of: chunks, batch: batch))
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
