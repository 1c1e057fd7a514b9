import Dispatch

/// The package's one fork-join parallel loop: runs a body on `workers`
/// threads with `DispatchQueue.concurrentPerform` and returns when all are
/// done, or inline on the calling thread when there is one worker (no
/// Dispatch overhead). Every hand-parallelised kernel (sequence kernels, the
/// fused layers, attention, the GRU workspace, the ensemble's work queue)
/// splits its work through it.
public enum ParallelFor {
    /// Calls `body(worker)` for every `worker` in `0..<workers`, concurrently.
    public static func workers(_ workers: Int, _ body: (_ worker: Int) -> Void) {
        if workers <= 1 {
            if workers == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers, execute: body)
    }

    /// `0..<count` cut into `max(1, min(parts, count))` contiguous ranges;
    /// range w is `w·count/p ..< (w+1)·count/p` (sizes differ by at most one).
    public static func ranges(count: Int, parts: Int) -> [Range<Int>] {
        let p = max(1, min(parts, count))
        return (0..<p).map { ($0 * count / p)..<(($0 + 1) * count / p) }
    }

    /// Calls `body(part, range)` for every range of ``ranges(count:parts:)``,
    /// concurrently; `part` indexes per-part scratch or partial sums.
    public static func chunks(count: Int, parts: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        let p = max(1, min(parts, count))
        workers(p) { w in body(w, (w * count / p)..<((w + 1) * count / p)) }
    }
}
