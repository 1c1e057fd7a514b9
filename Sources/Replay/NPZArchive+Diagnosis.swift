/// Diagnosis of `.npz` files ZIPFoundation refuses: which array a truncated
/// file lost, and how much of it survived. Walks the ZIP local headers
/// (PKWARE APPNOTE 6.3, §4.3.7, with the ZIP64 extra field numpy writes) from
/// the start of the file; used only after a read failed.
extension NPZArchive {
    /// An entry as its local header describes it.
    struct LocalEntry {
        var name: String
        /// ZIP compression method (0 stored, 8 deflate).
        var method: Int
        var compressedSize: Int
        /// Offset of the first data byte.
        var dataStart: Int
    }

    static let localSignature = 0x0403_4B50
    static let endSignature = 0x0605_4B50

    /// The entries found by walking local headers from the start of `bytes`.
    /// Stops at the first header that is missing or cut off; the last entry's
    /// data may extend past the end of `bytes` (that is the truncation to report).
    static func localEntries(_ bytes: [UInt8]) -> [LocalEntry] {
        var entries: [LocalEntry] = []
        var p = 0
        while p + 30 <= bytes.count, bytes.le32(p) == localSignature {
            let flags = bytes.le16(p + 6), method = bytes.le16(p + 8)
            var compressed = bytes.le32(p + 18)
            let nameLength = bytes.le16(p + 26), extraLength = bytes.le16(p + 28)
            guard p + 30 + nameLength + extraLength <= bytes.count, flags & 8 == 0 else { break }
            let name = String(decoding: bytes[(p + 30)..<(p + 30 + nameLength)], as: UTF8.self)
            var q = p + 30 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = bytes.le16(q), size = bytes.le16(q + 2)
                // ZIP64 extended information: uncompressed then compressed size, 8 bytes each.
                if id == 1, size >= 16, q + 20 <= extraEnd, compressed == 0xFFFF_FFFF {
                    compressed = Int(clamping: bytes.le64(q + 12))
                }
                q += 4 + size
            }
            entries.append(LocalEntry(name: name, method: method, compressedSize: compressed, dataStart: extraEnd))
            let (next, overflow) = extraEnd.addingReportingOverflow(compressed)
            guard !overflow else { break }
            p = next
        }
        return entries
    }

    /// The error for bytes ZIPFoundation could not open as an archive: not a
    /// ZIP file, a truncated one (naming the array cut off), or a corrupt one.
    static func diagnoseUnreadable(_ bytes: [UInt8], file: String, reason: Error) -> DatasetError {
        guard bytes.count >= 4, bytes.le32(0) == localSignature || bytes.le32(0) == endSignature else {
            return DatasetError(file: file, kind: .corrupt, message:
                "is not a ZIP archive (.npz); expected the signature PK\\x03\\x04 at offset 0")
        }
        guard let last = localEntries(bytes).last else {
            return DatasetError(file: file, kind: .truncated, message:
                "ends inside the first ZIP local header (\(bytes.count) bytes); the file is truncated")
        }
        let key = last.name.hasSuffix(".npy") ? String(last.name.dropLast(4)) : last.name
        let available = max(0, bytes.count - last.dataStart)
        guard last.compressedSize > available else {
            if bytes.count >= 22, bytes.le32(bytes.count - 22) == endSignature {
                return DatasetError(file: file, kind: .corrupt, message: "is not a readable ZIP archive (\(reason))")
            }
            return DatasetError(file: file, kind: .truncated, message:
                "file ends after array '\(key)'; the ZIP central directory is missing (the file is truncated)")
        }
        if last.method == 0 {
            // The npy header reports how many values were announced and how many arrived.
            do {
                _ = try NumPyArray.decode(bytes, range: min(last.dataStart, bytes.count)..<bytes.count,
                                          name: key, file: file, endsWith: "file")
            } catch let error as DatasetError {
                return error
            } catch {}
        }
        return DatasetError(file: file, kind: .truncated, message:
            "array '\(key)' needs \(last.compressedSize) bytes of data, file ends after \(available)")
    }
}
