/// Little-endian integer reads and writes on byte arrays, used by the `.npy`
/// and ZIP codecs. Reads take an offset the caller has already bounds-checked.
extension Array where Element == UInt8 {
    @inline(__always) func le16(_ at: Int) -> Int { Int(self[at]) | Int(self[at + 1]) << 8 }

    @inline(__always) func le32(_ at: Int) -> Int { le16(at) | le16(at + 2) << 16 }

    @inline(__always) func le64(_ at: Int) -> UInt64 { UInt64(le32(at)) | UInt64(le32(at + 4)) << 32 }

    mutating func appendLE16(_ v: Int) {
        append(UInt8(truncatingIfNeeded: v)); append(UInt8(truncatingIfNeeded: v >> 8))
    }

    mutating func appendLE32(_ v: Int) { appendLE16(v & 0xFFFF); appendLE16((v >> 16) & 0xFFFF) }

    mutating func appendLE32(_ v: UInt32) { appendLE32(Int(v)) }
}
