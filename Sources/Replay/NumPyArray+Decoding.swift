import Foundation

// MARK: - Decoding

extension NumPyArray {
    /// Decodes `bytes[range]` as a `.npy` file.
    ///
    /// - Parameters:
    ///   - name: the array's name, used in error messages (`array 'rewards' ...`).
    ///   - file: the file the bytes come from, used in error messages.
    ///   - endsWith: what ends a short data section in messages: `"file"` when the
    ///     bytes run to the end of a truncated file, `"entry"` for a complete entry.
    /// - Throws: `DatasetError` for a bad magic, a malformed header, an unsupported
    ///   dtype or order, or a data section that is shorter or longer than the header says.
    static func decode(_ bytes: [UInt8], range: Range<Int>, name: String, file: String,
                       endsWith: String = "entry") throws -> NumPyArray {
        func fail(_ kind: DatasetError.Kind, _ message: String) -> DatasetError {
            DatasetError(file: file, kind: kind, message: "array '\(name)' \(message)")
        }
        let start = range.lowerBound, end = range.upperBound
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard end - start >= 10 else {
            throw fail(.truncated, "is \(end - start) bytes long; a .npy array needs at least a 10-byte preamble")
        }
        guard Array(bytes[start..<start + 6]) == magic else {
            throw fail(.corrupt, "is not a .npy array (expected the magic bytes \\x93NUMPY)")
        }
        let major = Int(bytes[start + 6])
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: headerLength = bytes.le16(start + 8); headerStart = start + 10
        case 2, 3:
            guard end - start >= 12 else { throw fail(.truncated, "ends inside its .npy preamble") }
            headerLength = bytes.le32(start + 8); headerStart = start + 12
        default:
            throw fail(.unsupported, "has .npy format version \(major).\(bytes[start + 7]); supported: 1.0, 2.0, 3.0")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= end else {
            throw fail(.truncated, "header says it is \(headerLength) bytes, \(endsWith) ends after \(end - headerStart)")
        }
        let headerText = String(decoding: bytes[headerStart..<dataStart], as: UTF8.self)
        let header: NPYHeader
        do {
            header = try NPYHeader(parsing: Array(bytes[headerStart..<dataStart]))
        } catch let NPYHeader.ParseError.message(text) {
            throw fail(.corrupt, "has a malformed .npy header (\(text)): \(headerText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard !header.fortranOrder else {
            throw fail(.unsupported, "is stored in Fortran order; expected fortran_order False (save a C-contiguous array)")
        }
        guard let dtype = NPYDType(descr: header.descr) else {
            throw fail(.unsupported, "has dtype '\(header.descr)'; supported: '<f4', '<f8', '|b1', '<i8', '<i4', '|i1', '|u1', '<U<n>'")
        }
        var count = 1
        for d in header.shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow else { throw fail(.corrupt, "has an impossible shape \(header.shape)") }
            count = p
        }
        let available = end - dataStart
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw fail(.corrupt, "has an impossible shape \(header.shape)") }
        guard available >= needed else {
            throw fail(.truncated, "header says \(count) \(dtype.name) values, \(endsWith) ends after \(available / dtype.itemSize)")
        }
        guard available == needed else {
            throw fail(.corrupt, "header says \(count) \(dtype.name) values (\(needed) bytes), but the \(endsWith) holds \(available) bytes of data")
        }
        guard let elements = dtype.decode(bytes, at: dataStart, count: count) else {
            throw fail(.corrupt, "holds a \(dtype.name) element that is not valid UTF-32 text")
        }
        return NumPyArray(shape: header.shape, elements: elements)
    }

    /// Reads a standalone `.npy` file.
    public static func read(from url: URL) throws -> NumPyArray {
        let bytes = try readFileBytes(url)
        return try decode(bytes, range: 0..<bytes.count, name: url.deletingPathExtension().lastPathComponent,
                          file: url.path, endsWith: "file")
    }

    /// Writes a standalone `.npy` file atomically (temporary file, then rename).
    public func write(to url: URL) throws {
        try writeFileAtomically(npyBytes(), to: url)
    }
}

/// The on-disk element types `NumPyArray` reads.
private enum NPYDType {
    case f4, f8, b1, i8, i4, i1, u1
    /// `<U<n>`: n UTF-32 code units per element.
    case unicode(Int)

    init?(descr: String) {
        // n code units of 4 bytes each: a width whose byte size overflows is not a dtype (it would trap in `itemSize`).
        if descr.hasPrefix("<U") || descr.hasPrefix("=U"), let n = Int(descr.dropFirst(2)), n >= 0, n <= Int.max / 4 {
            self = .unicode(n)
            return
        }
        // '<' little-endian, '=' native (little-endian on every supported host), '|' not applicable.
        switch descr {
        case "<f4", "=f4": self = .f4
        case "<f8", "=f8": self = .f8
        case "|b1", "<b1", "=b1": self = .b1
        case "<i8", "=i8": self = .i8
        case "<i4", "=i4": self = .i4
        case "|i1", "<i1", "=i1": self = .i1
        case "|u1", "<u1", "=u1": self = .u1
        default: return nil
        }
    }

    var itemSize: Int {
        switch self {
        case .f8, .i8: return 8
        case .f4, .i4: return 4
        case .b1, .i1, .u1: return 1
        case .unicode(let n): return 4 * n
        }
    }

    var name: String {
        switch self {
        case .f4: return "float32"
        case .f8: return "float64"
        case .b1: return "bool"
        case .i8: return "int64"
        case .i4: return "int32"
        case .i1: return "int8"
        case .u1: return "uint8"
        case .unicode(let n): return "<U\(n)"
        }
    }

    /// The elements, or `nil` for text that is not valid UTF-32.
    func decode(_ bytes: [UInt8], at offset: Int, count: Int) -> NumPyArray.Elements? {
        #if _endian(big)
        fatalError("NumPyArray: big-endian hosts are not supported")
        #endif
        switch self {
        case .f4: return .float32(load(Float.self, bytes, offset, count))
        case .f8: return .float32(load(Double.self, bytes, offset, count).map { Float($0) })
        case .i8: return .int64(load(Int64.self, bytes, offset, count))
        case .i4: return .int64(load(Int32.self, bytes, offset, count).map { Int64($0) })
        case .i1: return .int64(bytes[offset..<offset + count].map { Int64(Int8(bitPattern: $0)) })
        case .u1: return .int64(bytes[offset..<offset + count].map { Int64($0) })
        case .b1: return .bool(bytes[offset..<offset + count].map { $0 != 0 })
        case .unicode(let n):
            var texts: [String] = []
            texts.reserveCapacity(count)
            for element in 0..<count {
                var scalars = String.UnicodeScalarView()
                for i in 0..<n {
                    let code = UInt32(truncatingIfNeeded: bytes.le32(offset + 4 * (element * n + i)))
                    if code == 0 { break }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    scalars.append(scalar)
                }
                texts.append(String(scalars))
            }
            return .unicode(texts)
        }
    }

    private func load<T: BitwiseCopyable>(_: T.Type, _ bytes: [UInt8], _ offset: Int, _ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { dst, initialized in
            bytes.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(dst).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + count * MemoryLayout<T>.stride]))
            }
            initialized = count
        }
    }
}

/// The header dictionary of a `.npy` file, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` — a Python
/// literal, parsed here without evaluating anything.
struct NPYHeader {
    enum ParseError: Error { case message(String) }

    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    private enum Value { case string(String), bool(Bool), tuple([Int]) }

    init(parsing text: [UInt8]) throws {
        var p = Parser(text: text)
        let dict = try p.dictionary()
        guard case .string(let descr)? = dict["descr"] else { throw ParseError.message("expected a string 'descr'") }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw ParseError.message("expected a boolean 'fortran_order'")
        }
        guard case .tuple(let shape)? = dict["shape"] else { throw ParseError.message("expected a tuple 'shape'") }
        self.descr = descr
        self.fortranOrder = fortran
        self.shape = shape
    }

    private struct Parser {
        let text: [UInt8]
        var i = 0

        init(text: [UInt8]) { self.text = text }

        mutating func skipSpace() {
            while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x09 || text[i] == 0x0D { i += 1 }
        }

        mutating func expect(_ c: Character) throws {
            skipSpace()
            guard i < text.count, text[i] == c.asciiValue! else {
                throw ParseError.message("expected '\(c)' at offset \(i)")
            }
            i += 1
        }

        mutating func peek(_ c: Character) -> Bool {
            skipSpace()
            return i < text.count && text[i] == c.asciiValue!
        }

        mutating func dictionary() throws -> [String: Value] {
            try expect("{")
            var out: [String: Value] = [:]
            while !peek("}") {
                let key = try string()
                try expect(":")
                out[key] = try value()
                if !peek("}") { try expect(",") }
            }
            try expect("}")
            return out
        }

        mutating func string() throws -> String {
            skipSpace()
            guard i < text.count, text[i] == 0x27 || text[i] == 0x22 else {
                throw ParseError.message("expected a quoted string at offset \(i)")
            }
            let quote = text[i]
            i += 1
            let start = i
            while i < text.count, text[i] != quote { i += 1 }
            guard i < text.count else { throw ParseError.message("unterminated string") }
            defer { i += 1 }
            return String(decoding: text[start..<i], as: UTF8.self)
        }

        mutating func integer() throws -> Int {
            skipSpace()
            let start = i
            while i < text.count, (0x30...0x39).contains(text[i]) { i += 1 }
            // Python 2 era headers may write long integers as `3L`.
            let digits = String(decoding: text[start..<i], as: UTF8.self)
            if i < text.count, text[i] == 0x4C { i += 1 }
            guard let v = Int(digits) else { throw ParseError.message("expected an integer at offset \(start)") }
            return v
        }

        mutating func value() throws -> Value {
            skipSpace()
            guard i < text.count else { throw ParseError.message("unexpected end of header") }
            switch text[i] {
            case 0x27, 0x22: return .string(try string())
            case 0x28:
                i += 1
                var items: [Int] = []
                while !peek(")") {
                    items.append(try integer())
                    if !peek(")") { try expect(",") }
                }
                try expect(")")
                return .tuple(items)
            default:
                let rest = text[i...]
                if rest.starts(with: "True".utf8) { i += 4; return .bool(true) }
                if rest.starts(with: "False".utf8) { i += 5; return .bool(false) }
                throw ParseError.message("unexpected value at offset \(i)")
            }
        }
    }
}
