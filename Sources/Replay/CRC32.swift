/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of ZIP
/// entries. Table-driven, one table lookup per byte.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of `bytes[range]`.
    static func checksum(_ bytes: [UInt8], range: Range<Int>? = nil) -> UInt32 {
        let range = range ?? 0..<bytes.count
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            bytes.withUnsafeBufferPointer { b in
                for i in range { crc = t[Int((crc ^ UInt32(b[i])) & 0xFF)] ^ (crc >> 8) }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
