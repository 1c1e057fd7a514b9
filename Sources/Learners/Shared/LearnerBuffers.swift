/// Owner of a learner workspace's 64-byte-aligned, zero-filled buffers: they
/// live as long as this object (keep it as a stored property of the workspace).
final class LearnerBuffers {
    private var allocations: [UnsafeMutableRawPointer] = []

    func make<T>(_ count: Int, zero: T) -> UnsafeMutablePointer<T> {
        let n = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<T>.stride, alignment: 64)
        allocations.append(raw)
        return raw.initializeMemory(as: T.self, repeating: zero, count: n)
    }

    func floats(_ count: Int) -> UnsafeMutablePointer<Float> { make(count, zero: 0) }
    func doubles(_ count: Int) -> UnsafeMutablePointer<Double> { make(count, zero: 0) }

    /// `rows` split into one contiguous block per worker (at most `rows` blocks, at least one).
    static func rowBlocks(rows: Int, workers: Int) -> [Range<Int>] {
        let blocks = max(1, min(workers, rows))
        return (0..<blocks).map { k in (k * rows / blocks) ..< ((k + 1) * rows / blocks) }
    }

    deinit { for p in allocations { p.deallocate() } }
}
