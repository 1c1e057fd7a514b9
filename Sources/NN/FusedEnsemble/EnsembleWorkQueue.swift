import CKernels

/// A tiny fork-join executor for the ensemble's phases: `run(count:)` hands
/// item indices `0..<count` to `workers` threads (``ParallelFor/workers(_:_:)``)
/// from a shared atomic counter
/// (dynamic scheduling: largest items first balances well on a noisy machine)
/// and returns when all are done — one barrier per call.
///
/// The body receives `(worker, item)`; `worker < workers` indexes per-thread
/// scratch buffers. One worker runs inline without Dispatch. Public for the
/// other hand-fused steps built on NN (the dense networks' learners).
public final class EnsembleWorkQueue {
    public let workers: Int
    private let counter: UnsafeMutablePointer<Int>

    public init(workers: Int) {
        self.workers = max(1, workers)
        counter = .allocate(capacity: 1)
        counter.initialize(to: 0)
    }

    deinit { counter.deallocate() }

    public func run(count: Int, _ body: (_ worker: Int, _ item: Int) -> Void) {
        let n = min(workers, count)
        if n <= 1 {
            for i in 0..<count { body(0, i) }
            return
        }
        counter.pointee = 0
        let counter = self.counter
        ParallelFor.workers(n) { worker in
            while true {
                let i = mbrl_ens_atomic_next(counter)
                if i >= count { break }
                body(worker, i)
            }
        }
    }
}
