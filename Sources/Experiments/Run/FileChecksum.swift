import Foundation

/// FNV-1a, 64 bits (Fowler, Noll, Vo): a fast non-cryptographic checksum,
/// enough to notice a checkpoint file that was truncated, bit-flipped or
/// replaced since its run state was written.
///
///     h₀ = 0xcbf29ce484222325,   h ← (h ⊕ byte) · 0x100000001b3
enum FileChecksum {
    /// The checksum of `data`, over its raw bytes (no per-byte `Data` indexing).
    static func fnv1a64(_ data: Data) -> UInt64 {
        data.withUnsafeBytes { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return hash
        }
    }
}
