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
