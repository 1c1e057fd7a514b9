/// A minimal ZIP codec (PKWARE APPNOTE 6.3) for `.npz` files: it writes
/// uncompressed ("stored") archives and reads stored and deflate-compressed
/// entries, with ZIP64 records (which `numpy.savez` writes) understood on read.
///
/// Not supported, with an error saying so: encryption, multi-disk archives,
/// compression methods other than stored (0) and deflate (8), and writing
/// archives of 4 GiB or more (ZIP64 writing).
///
/// Writing is deterministic: every entry is dated 1980-01-01 00:00, so the same
/// arrays give the same bytes. Every entry's CRC-32 is checked on read.
enum ZipArchive {
    /// Where an entry's data lies in the archive, from its headers.
    struct EntryLocation {
        var name: String
        var method: Int
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        /// Offset of the first data byte.
        var dataStart: Int
    }

    static let localSignature = 0x0403_4B50
    static let centralSignature = 0x0201_4B50
    static let endSignature = 0x0605_4B50
    static let zip64EndSignature = 0x0606_4B50
    static let zip64LocatorSignature = 0x0706_4B50

    // MARK: - Writing

    /// An archive holding `entries` uncompressed, in order.
    static func encode(_ entries: [(name: String, data: [UInt8])], file: String) throws -> [UInt8] {
        let total = entries.reduce(0) { $0 + $1.data.count + 2 * (46 + $1.name.utf8.count) } + 22
        guard total < 0xFFFF_FFFF, entries.count < 0xFFFF else {
            throw DatasetError(file: file, kind: .unsupported, message:
                "archive would be \(total) bytes with \(entries.count) entries; writing ZIP64 archives (4 GiB or more, or 65535 entries) is not supported")
        }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        var central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let crc = CRC32.checksum(entry.data)
            let offset = out.count
            // Fields shared by the local and central headers, from "version needed" on.
            var common: [UInt8] = []
            common.appendLE16(20)             // version needed to extract (2.0)
            common.appendLE16(0)              // flags
            common.appendLE16(0)              // method: stored
            common.appendLE16(0)              // time 00:00:00
            common.appendLE16(0x21)           // date 1980-01-01
            common.appendLE32(crc)
            common.appendLE32(entry.data.count)  // compressed size
            common.appendLE32(entry.data.count)  // uncompressed size
            common.appendLE16(name.count)
            common.appendLE16(0)              // extra field length

            out.appendLE32(localSignature)
            out.append(contentsOf: common)
            out.append(contentsOf: name)
            out.append(contentsOf: entry.data)

            central.appendLE32(centralSignature)
            central.appendLE16(0x0314)        // made by: Unix, version 2.0
            central.append(contentsOf: common)
            central.appendLE16(0)             // comment length
            central.appendLE16(0)             // disk number start
            central.appendLE16(0)             // internal attributes
            central.appendLE32(0o100644 << 16) // external attributes: regular file, rw-r--r--
            central.appendLE32(offset)
            central.append(contentsOf: name)
        }
        let centralOffset = out.count
        out.append(contentsOf: central)
        out.appendLE32(endSignature)
        out.appendLE16(0)                     // this disk
        out.appendLE16(0)                     // disk with the central directory
        out.appendLE16(entries.count)
        out.appendLE16(entries.count)
        out.appendLE32(central.count)
        out.appendLE32(centralOffset)
        out.appendLE16(0)                     // comment length
        return out
    }

    // MARK: - Reading

    /// The entries listed in the central directory, in order.
    /// - Throws: `.truncated` when no end-of-central-directory record is found
    ///   (the usual sign of a cut-off file), `.corrupt`/`.unsupported` otherwise.
    static func centralDirectory(_ bytes: [UInt8], file: String) throws -> [EntryLocation] {
        func fail(_ kind: DatasetError.Kind, _ message: String) -> DatasetError {
            DatasetError(file: file, kind: kind, message: message)
        }
        let n = bytes.count
        guard n >= 4, bytes.le32(0) == localSignature || bytes.le32(0) == endSignature else {
            throw fail(.corrupt, "is not a ZIP archive (.npz); expected the signature PK\\x03\\x04 at offset 0")
        }
        var end = -1
        if n >= 22 {
            for i in stride(from: n - 22, through: max(0, n - 22 - 0xFFFF), by: -1)
            where bytes.le32(i) == endSignature && i + 22 + bytes.le16(i + 20) == n {
                end = i
                break
            }
        }
        guard end >= 0 else {
            throw fail(.truncated, "ZIP end-of-central-directory record not found; the file is truncated")
        }
        var entryCount = bytes.le16(end + 10)
        var centralSize = bytes.le32(end + 12)
        var centralOffset = bytes.le32(end + 16)
        guard bytes.le16(end + 4) == 0, bytes.le16(end + 6) == 0 else {
            throw fail(.unsupported, "is a multi-disk ZIP archive; expected a single file")
        }
        if end >= 20, bytes.le32(end - 20) == zip64LocatorSignature {
            let record = bytes.le64(end - 20 + 8)
            guard record <= UInt64(n - 56), bytes.le32(Int(record)) == zip64EndSignature else {
                throw fail(.corrupt, "ZIP64 end-of-central-directory record not found at offset \(record)")
            }
            let r = Int(record)
            entryCount = Int(clamping: bytes.le64(r + 32))
            centralSize = Int(clamping: bytes.le64(r + 40))
            centralOffset = Int(clamping: bytes.le64(r + 48))
        }
        guard centralOffset <= end, centralSize <= end - centralOffset else {
            throw fail(.corrupt, "ZIP central directory (offset \(centralOffset), \(centralSize) bytes) lies outside the file")
        }
        var entries: [EntryLocation] = []
        var p = centralOffset
        for index in 0..<entryCount {
            guard p + 46 <= end, bytes.le32(p) == centralSignature else {
                throw fail(.corrupt, "ZIP central directory entry \(index) is malformed (offset \(p))")
            }
            let flags = bytes.le16(p + 8), method = bytes.le16(p + 10)
            let crc = UInt32(bytes.le32(p + 16))
            var compressed = bytes.le32(p + 20), uncompressed = bytes.le32(p + 24)
            let nameLength = bytes.le16(p + 28), extraLength = bytes.le16(p + 30), commentLength = bytes.le16(p + 32)
            var localOffset = bytes.le32(p + 42)
            guard p + 46 + nameLength + extraLength + commentLength <= end else {
                throw fail(.corrupt, "ZIP central directory entry \(index) runs past the directory")
            }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            guard flags & 1 == 0 else { throw fail(.unsupported, "entry '\(name)' is encrypted") }
            // ZIP64 extended information: 8-byte values for the fields saturated at 0xFFFFFFFF, in this order.
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = bytes.le16(q), size = bytes.le16(q + 2)
                if id == 1 {
                    var f = q + 4
                    func next() -> Int? {
                        guard f + 8 <= q + 4 + size else { return nil }
                        defer { f += 8 }
                        return Int(clamping: bytes.le64(f))
                    }
                    if uncompressed == 0xFFFF_FFFF, let v = next() { uncompressed = v }
                    if compressed == 0xFFFF_FFFF, let v = next() { compressed = v }
                    if localOffset == 0xFFFF_FFFF, let v = next() { localOffset = v }
                }
                q += 4 + size
            }
            guard localOffset + 30 <= n, bytes.le32(localOffset) == localSignature else {
                throw fail(.corrupt, "entry '\(name)': local header not found at offset \(localOffset)")
            }
            let dataStart = localOffset + 30 + bytes.le16(localOffset + 26) + bytes.le16(localOffset + 28)
            entries.append(EntryLocation(name: name, method: method, crc32: crc, compressedSize: compressed,
                                         uncompressedSize: uncompressed, dataStart: dataStart))
            p += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    /// The entries found by walking local headers from the start of the file,
    /// for diagnosing a truncated archive. Stops at the first header that is
    /// missing or cut off; the last entry's data may extend past the end of
    /// `bytes` (that is the truncation to report).
    static func localEntries(_ bytes: [UInt8]) -> [EntryLocation] {
        var entries: [EntryLocation] = []
        var p = 0
        while p + 30 <= bytes.count, bytes.le32(p) == localSignature {
            let flags = bytes.le16(p + 6), method = bytes.le16(p + 8)
            var compressed = bytes.le32(p + 18), uncompressed = bytes.le32(p + 22)
            let nameLength = bytes.le16(p + 26), extraLength = bytes.le16(p + 28)
            guard p + 30 + nameLength + extraLength <= bytes.count, flags & 8 == 0 else { break }
            let name = String(decoding: bytes[(p + 30)..<(p + 30 + nameLength)], as: UTF8.self)
            var q = p + 30 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = bytes.le16(q), size = bytes.le16(q + 2)
                if id == 1, size >= 16, q + 20 <= extraEnd {
                    if uncompressed == 0xFFFF_FFFF { uncompressed = Int(clamping: bytes.le64(q + 4)) }
                    if compressed == 0xFFFF_FFFF { compressed = Int(clamping: bytes.le64(q + 12)) }
                }
                q += 4 + size
            }
            entries.append(EntryLocation(name: name, method: method, crc32: UInt32(bytes.le32(p + 14)),
                                         compressedSize: compressed, uncompressedSize: uncompressed,
                                         dataStart: extraEnd))
            p = extraEnd + compressed
        }
        return entries
    }

    /// The uncompressed bytes of `entry`, CRC-checked, as an array and the range
    /// holding them: for a stored entry, `bytes` itself (no copy) and the data's range.
    static func extract(_ entry: EntryLocation, from bytes: [UInt8], file: String) throws -> (bytes: [UInt8], range: Range<Int>) {
        func fail(_ kind: DatasetError.Kind, _ message: String) -> DatasetError {
            DatasetError(file: file, kind: kind, message: "entry '\(entry.name)' \(message)")
        }
        guard entry.compressedSize <= bytes.count - min(entry.dataStart, bytes.count) else {
            throw fail(.truncated, "needs \(entry.compressedSize) bytes of data, file ends after \(max(0, bytes.count - entry.dataStart))")
        }
        let range = entry.dataStart..<(entry.dataStart + entry.compressedSize)
        let data: [UInt8], dataRange: Range<Int>
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw fail(.corrupt, "is stored uncompressed but its sizes differ (\(entry.compressedSize) vs \(entry.uncompressedSize))")
            }
            data = bytes
            dataRange = range
        case 8:
            do {
                data = try Inflate.decompress(bytes, range: range, expectedSize: entry.uncompressedSize)
            } catch let Inflate.Failure.invalid(reason) {
                throw fail(.corrupt, "has invalid deflate data: \(reason)")
            }
            guard data.count == entry.uncompressedSize else {
                throw fail(.corrupt, "inflates to \(data.count) bytes; its header says \(entry.uncompressedSize)")
            }
            dataRange = 0..<data.count
        default:
            throw fail(.unsupported, "uses ZIP compression method \(entry.method); supported: 0 (stored), 8 (deflate)")
        }
        let crc = CRC32.checksum(data, range: dataRange)
        guard crc == entry.crc32 else {
            throw fail(.corrupt, "fails its CRC-32 check (header says \(hex(entry.crc32)), data gives \(hex(crc)))")
        }
        return (data, dataRange)
    }

    private static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }
}
