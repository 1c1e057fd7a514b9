import Foundation

/// A NumPy `.npz` file: a ZIP archive with one `<key>.npy` entry per array, as
/// written by `numpy.savez` (stored) and `numpy.savez_compressed` (deflate) and
/// read by `numpy.load`.
///
/// Reading checks every structure it relies on and reports problems as a
/// `DatasetError` naming the file and the array; a truncated file is
/// diagnosed down to the array that was cut off (`dataset.npz: array
/// 'rewards' header says 1000 float32 values, file ends after 512`). Writing
/// stores the arrays uncompressed, in the given order, atomically (temporary
/// file + rename).
///
/// Cost: reading holds the file's bytes plus the decoded arrays in memory;
/// writing holds the encoded archive. Both are linear in the data size.
public struct NPZArchive: Sendable {
    /// The file the arrays came from (used in error messages), or `""`.
    public var file: String
    /// The array names in archive order.
    public private(set) var keys: [String]
    private var arrays: [String: NumPyArray]

    /// An archive of `arrays` (names must be unique; a programmer error otherwise).
    public init(_ arrays: [(key: String, array: NumPyArray)], file: String = "") {
        self.file = file
        self.keys = arrays.map(\.key)
        self.arrays = Dictionary(arrays.map { ($0.key, $0.array) }, uniquingKeysWith: { _, _ in
            preconditionFailure("NPZArchive: duplicate array names in \(arrays.map(\.key))")
        })
    }

    /// The array named `key`, or `nil`.
    public subscript(key: String) -> NumPyArray? { arrays[key] }

    /// The array named `key`.
    /// - Throws: `DatasetError` (`.missingKey`) naming the key and the keys present.
    public func array(_ key: String) throws -> NumPyArray {
        guard let a = arrays[key] else {
            let present = keys.isEmpty ? "none" : keys.map { "'\($0)'" }.joined(separator: ", ")
            throw DatasetError(file: file, kind: .missingKey, message: "missing array '\(key)' (arrays present: \(present))")
        }
        return a
    }

    /// Adds or replaces an array.
    public mutating func set(_ key: String, _ array: NumPyArray) {
        if arrays.updateValue(array, forKey: key) == nil { keys.append(key) }
    }

    // MARK: - Files

    /// Reads an `.npz` file (stored or deflate-compressed entries).
    public static func read(from url: URL) throws -> NPZArchive {
        let bytes = try readFileBytes(url)
        return try decode(bytes, file: url.path)
    }

    /// Writes the archive to `url` atomically.
    public func write(to url: URL) throws {
        try writeFileAtomically(try encoded(file: url.path), to: url)
    }

    /// The archive as `.npz` bytes (stored entries named `<key>.npy`).
    public func encoded(file: String? = nil) throws -> [UInt8] {
        try ZipArchive.encode(keys.map { (name: $0 + ".npy", data: arrays[$0]!.npyBytes()) }, file: file ?? self.file)
    }

    /// Decodes `.npz` bytes; `file` names the source in error messages.
    public static func decode(_ bytes: [UInt8], file: String) throws -> NPZArchive {
        let entries: [ZipArchive.EntryLocation]
        do {
            entries = try ZipArchive.centralDirectory(bytes, file: file)
        } catch let error as DatasetError where error.kind == .truncated {
            throw diagnoseTruncation(bytes, file: file) ?? error
        }
        var archive = NPZArchive([], file: file)
        for entry in entries {
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            guard archive.arrays[key] == nil else {
                throw DatasetError(file: file, kind: .corrupt, message: "array '\(key)' appears twice in the archive")
            }
            let data = try ZipArchive.extract(entry, from: bytes, file: file)
            archive.set(key, try NumPyArray.decode(data.bytes, range: data.range, name: key, file: file))
        }
        return archive
    }

    /// For a file whose end is missing: walks the local headers to find the
    /// entry that was cut off and, for a stored `.npy` entry, how many of its
    /// values survive.
    private static func diagnoseTruncation(_ bytes: [UInt8], file: String) -> DatasetError? {
        let entries = ZipArchive.localEntries(bytes)
        guard let last = entries.last else { return nil }
        let key = last.name.hasSuffix(".npy") ? String(last.name.dropLast(4)) : last.name
        let available = max(0, bytes.count - last.dataStart)
        if last.compressedSize > available {
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
        return DatasetError(file: file, kind: .truncated, message:
            "file ends after array '\(key)'; the ZIP central directory is missing (the file is truncated)")
    }
}
