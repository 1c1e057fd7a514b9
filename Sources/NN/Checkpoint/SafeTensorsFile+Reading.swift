import Foundation

extension SafeTensorsFile {
    /// Parses and validates a safetensors file's bytes (see the type's doc for
    /// the checks); `label` names the file in errors.
    public init(data: Data, label: String = "<data>") throws {
        func fail(_ kind: SafeTensorsError.Kind) -> SafeTensorsError { SafeTensorsError(kind, file: label) }

        // MARK: Header length
        guard data.count >= 8 else {
            throw fail(.truncated(reason: "the file has \(data.count) bytes, fewer than the 8-byte header length"))
        }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw fail(.invalidHeader(reason: "header length \(headerLength) exceeds the limit of \(Self.maximumHeaderLength) bytes"))
        }
        let headerEnd = 8 + Int(headerLength)
        guard headerEnd <= data.count else {
            throw fail(.truncated(reason: "the header is \(headerLength) bytes but only \(data.count - 8) bytes follow its length"))
        }

        // MARK: JSON
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + headerEnd)
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail(.invalidHeader(reason: "the JSON header must start with '{'"))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: headerBytes)
        } catch {
            // Foundation's debug description says where (`... around line 1, column 17.`); the localized one does not.
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw fail(.invalidHeader(reason: "not valid JSON (\(detail))"))
        }
        guard let header = object as? [String: Any] else { throw fail(.invalidHeader(reason: "not a JSON object")) }

        // MARK: Entries
        struct Entry { let name: String; let shape: [Int]; let count: Int; let begin: Int; let end: Int }
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let dictionary = value as? [String: Any] else {
                    throw fail(.invalidHeader(reason: "__metadata__ must be an object of strings"))
                }
                for (key, item) in dictionary {
                    guard let text = item as? String else {
                        throw fail(.invalidHeader(reason: "__metadata__ value for '\(key)' is not a string"))
                    }
                    metadata[key] = text
                }
                continue
            }
            guard let fields = value as? [String: Any] else {
                throw fail(.invalidHeader(reason: "the entry for tensor '\(name)' is not an object"))
            }
            guard let dtype = fields["dtype"] as? String else {
                throw fail(.invalidHeader(reason: "tensor '\(name)' has no string 'dtype'"))
            }
            guard dtype == "F32" else { throw fail(.unsupportedDType(tensor: name, dtype: dtype)) }
            guard let shape = Self.integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }),
                  let count = CheckpointArray.elementCount(of: shape) else {
                throw fail(.invalidHeader(reason: "tensor '\(name)' has no valid 'shape' (a list of non-negative integers)"))
            }
            guard let offsets = Self.integers(fields["data_offsets"]), offsets.count == 2 else {
                throw fail(.invalidOffsets(tensor: name, reason: "expected a list of two integers [begin, end]"))
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end else {
                throw fail(.invalidOffsets(tensor: name, reason: "[\(begin), \(end)] is not a range"))
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
            guard !overflow, end - begin == bytes else {
                throw fail(.invalidOffsets(tensor: name, reason: "[\(begin), \(end)] spans \(end - begin) bytes but "
                    + "shape \(shape) needs \(overflow ? "more than Int.max" : String(bytes)) (4 bytes per F32)"))
            }
            entries.append(Entry(name: name, shape: shape, count: count, begin: begin, end: end))
        }

        // MARK: Offsets: in range, contiguous, no overlap, nothing left over
        let dataLength = data.count - headerEnd
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var previous: Entry?
        for entry in entries {
            let expectedBegin = previous?.end ?? 0
            if entry.begin < expectedBegin, let previous {
                throw fail(.invalidOffsets(tensor: entry.name, reason: "[\(entry.begin), \(entry.end)] overlaps "
                    + "tensor '\(previous.name)' at [\(previous.begin), \(previous.end)]"))
            }
            if entry.begin > expectedBegin {
                throw fail(.invalidOffsets(tensor: entry.name, reason: "[\(entry.begin), \(entry.end)] leaves a gap of "
                    + "\(entry.begin - expectedBegin) bytes before it (tensors must be contiguous)"))
            }
            if entry.end > dataLength {
                throw fail(.truncated(reason: "tensor '\(entry.name)' ends at byte \(entry.end) of the data but the "
                    + "file holds only \(dataLength) bytes of data"))
            }
            previous = entry
        }
        let used = previous?.end ?? 0
        guard used == dataLength else {
            throw fail(.invalidHeader(reason: "\(dataLength - used) bytes of data after the last tensor"))
        }

        // MARK: Values
        var tensors: [String: CheckpointArray] = [:]
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for entry in entries {
                let values = [Float](unsafeUninitializedCapacity: entry.count) { buffer, initialized in
                    let source = UnsafeRawBufferPointer(rebasing: raw[headerEnd + entry.begin ..< headerEnd + entry.end])
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                    if UInt32(1).littleEndian != 1 {
                        for i in 0..<entry.count { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
                    }
                    initialized = entry.count
                }
                tensors[entry.name] = CheckpointArray(shape: entry.shape, values: values)
            }
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// A JSON array of integers (numbers without a fractional part), or nil.
    static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in array {
            guard let number = item as? NSNumber, number.doubleValue.rounded() == number.doubleValue,
                  abs(number.doubleValue) < 9.0e18 else { return nil }
            result.append(Int(number.int64Value))
        }
        return result
    }
}
