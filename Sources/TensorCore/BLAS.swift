import CBLAS

/// Process-wide OpenBLAS settings.
///
/// PERF-NOTES lesson 1: for the small GEMMs of RL (hidden 128–256, batches
/// 32–512) keep OpenBLAS at one thread and parallelise across work items in
/// Swift instead; OpenBLAS's own threads cost more than they gain at these
/// sizes and make timings noisy. This is OpenBLAS's global state (not ours):
/// set it once at program start.
public enum BLAS {
    /// Sets the number of OpenBLAS worker threads (`openblas_set_num_threads`).
    public static func setThreadCount(_ count: Int) {
        precondition(count > 0, "BLAS.setThreadCount: count must be positive, got \(count)")
        openblas_set_num_threads(Int32(count))
    }

    /// The number of OpenBLAS worker threads (`openblas_get_num_threads`).
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}
