/// A minimal ZIP writer for the fuzz tests: stored (uncompressed) entries with
/// correct CRC-32s and sizes, so a mutated `.npy` payload gets past the
/// container checks and reaches the array decoder. PKWARE APPNOTE 6.3: local
/// headers, central directory, end-of-central-directory record; no ZIP64.
struct StoredZipWriter {
    /// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit: test data is small.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The archive holding `entries` (name, payload) in order.
    static func archive(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int, _ into: inout [UInt8]) { into += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32, _ into: inout [UInt8]) { le16(Int(v & 0xFFFF), &into); le16(Int(v >> 16), &into) }
        for entry in entries {
            let name = Array(entry.name.utf8), crc = crc32(entry.data), size = UInt32(entry.data.count)
            let offset = UInt32(out.count)
            le32(0x0403_4B50, &out); le16(20, &out); le16(0, &out); le16(0, &out); le16(0, &out); le16(0x21, &out)
            le32(crc, &out); le32(size, &out); le32(size, &out); le16(name.count, &out); le16(0, &out)
            out += name + entry.data
            le32(0x0201_4B50, &central); le16(20, &central); le16(20, &central); le16(0, &central); le16(0, &central)
            le16(0, &central); le16(0x21, &central); le32(crc, &central); le32(size, &central); le32(size, &central)
            le16(name.count, &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
            le32(0o100644 << 16, &central); le32(offset, &central)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        le32(0x0605_4B50, &out); le16(0, &out); le16(0, &out); le16(entries.count, &out); le16(entries.count, &out)
        le32(UInt32(central.count), &out); le32(centralOffset, &out); le16(0, &out)
        return out
    }
}
