import AtomicFiles
import Foundation

/// Named float32 arrays in the safetensors format (Hugging Face's
/// `safetensors`, format as of 0.4): the checkpoint format of this framework.
///
/// Layout, all integers little-endian:
///
/// ```
/// [0, 8)        N: UInt64, the header length in bytes
/// [8, 8+N)      UTF-8 JSON header, padded with spaces to a multiple of 8:
///               {"name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]},
///                ..., "__metadata__": {"key": "value", ...}}
/// [8+N, end)    the tensors' bytes; offsets are relative to 8+N
/// ```
///
/// Writing puts the tensors in sorted name order with contiguous offsets
/// (the first at 0, each beginning where the previous ended), so a file's bytes
/// depend only on its contents; `__metadata__` is omitted when empty. Because
/// N is a multiple of 8, every tensor's data starts 4-byte aligned (and the
/// data section 8-byte aligned), so a reader can map float32 data in place.
///
/// Reading checks everything a malformed or truncated file could get wrong:
/// the header length against the file size, the JSON, each dtype (only `F32`
/// is supported; anything else is an error naming the tensor), each shape,
/// and each `data_offsets` (in range, `end - begin == 4 · product(shape)`, no
/// overlap, no gap, no trailing bytes). No input traps.
///
/// Cost: one copy of the data each way; O(total bytes).
public struct SafeTensorsFile: Equatable, Sendable {
    /// The arrays by name.
    public var tensors: [String: CheckpointArray]
    /// Free-form string metadata (`__metadata__`), e.g. the config or the step.
    public var metadata: [String: String]

    public init(tensors: [String: CheckpointArray] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Largest header accepted when reading (as in the reference implementation).
    public static let maximumHeaderLength = 100_000_000

    // MARK: - Writing

    /// The file's bytes. Throws `invalidTensor` when a tensor's value count
    /// does not match its shape or its name is `__metadata__`.
    public func encoded(label: String = "<data>") throws -> Data {
        let names = tensors.keys.sorted()
        var header = "{"
        var offset = 0
        for (index, name) in names.enumerated() {
            let tensor = tensors[name]!
            guard name != "__metadata__" else {
                throw SafeTensorsError(.invalidTensor(tensor: name, reason: "the name is reserved for metadata"), file: label)
            }
            guard let count = tensor.elementCount, count == tensor.values.count else {
                throw SafeTensorsError(.invalidTensor(tensor: name, reason: "shape \(tensor.shape) does not hold "
                    + "\(tensor.values.count) values"), file: label)
            }
            let end = offset + 4 * count
            if index > 0 { header += "," }
            header += "\(Self.jsonString(name)):{\"dtype\":\"F32\",\"shape\":["
                + tensor.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        if !metadata.isEmpty {
            if !names.isEmpty { header += "," }
            header += "\"__metadata__\":{" + metadata.keys.sorted().map {
                "\(Self.jsonString($0)):\(Self.jsonString(metadata[$0]!))"
            }.joined(separator: ",") + "}"
        }
        header += "}"
        var headerBytes = Data(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))

        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(headerBytes)
        for name in names {
            Self.appendLittleEndian(tensors[name]!.values, to: &data)
        }
        return data
    }

    /// Writes the file atomically (`AtomicFile`: a temporary file in the same
    /// directory, flushed to disk, then renamed over `url`), so a crash never
    /// leaves a half-written checkpoint under the final name.
    public func write(to url: URL) throws {
        let label = url.lastPathComponent
        let bytes = try encoded(label: label)
        do {
            try AtomicFile.write(bytes, to: url)
        } catch let error as AtomicFileError {
            throw SafeTensorsError(.io(reason: error.reason), file: label)
        }
    }

    // MARK: - Reading

    /// Reads and validates the file at `url` (errors are labelled with its file name).
    public static func read(from url: URL) throws -> SafeTensorsFile {
        let label = url.lastPathComponent
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SafeTensorsError(.fileNotFound, file: url.path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SafeTensorsError(.io(reason: "cannot read: \(error.localizedDescription)"), file: label)
        }
        return try SafeTensorsFile(data: data, label: label)
    }

    /// Reads the file at `url` and hands it to `load` (a learner's `load(checkpoint:)`).
    /// A `SafeTensorsError` that `load` throws names the file as well as its own label
    /// (`sac.safetensors (SAC checkpoint): missing tensor 'qf3.layers.0.weight'`).
    public static func read<T>(from url: URL, into load: (SafeTensorsFile) throws -> T) throws -> T {
        let file = try read(from: url)
        do {
            return try load(file)
        } catch var error as SafeTensorsError {
            error.file = error.file == url.lastPathComponent ? error.file : "\(url.lastPathComponent) (\(error.file))"
            throw error
        }
    }

    /// Reads the file at `url` and checks it holds exactly the tensors in
    /// `expected` (name → shape); returns the arrays.
    public static func load(from url: URL, expecting expected: [String: [Int]]) throws -> [String: CheckpointArray] {
        let file = try read(from: url)
        try file.check(expecting: expected, label: url.lastPathComponent)
        return file.tensors
    }

    /// Throws `missingTensors`, `unexpectedTensors` (all names, sorted) or the
    /// first `shapeMismatch` (by name) when the tensors differ from `expected`.
    public func check(expecting expected: [String: [Int]], label: String) throws {
        let missing = expected.keys.filter { tensors[$0] == nil }.sorted()
        if !missing.isEmpty { throw SafeTensorsError(.missingTensors(missing), file: label) }
        let unexpected = tensors.keys.filter { expected[$0] == nil }.sorted()
        if !unexpected.isEmpty { throw SafeTensorsError(.unexpectedTensors(unexpected), file: label) }
        for name in expected.keys.sorted() where tensors[name]!.shape != expected[name]! {
            throw SafeTensorsError(.shapeMismatch(tensor: name, found: tensors[name]!.shape, expected: expected[name]!),
                                   file: label)
        }
    }

    // MARK: - Helpers

    /// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func appendLittleEndian(_ values: [Float], to data: inout Data) {
        if UInt32(1).littleEndian == 1 {
            values.withUnsafeBytes { data.append(contentsOf: $0) }
        } else {
            for value in values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        }
    }
}
