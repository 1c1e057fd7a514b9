/// An n-dimensional array as stored in a NumPy `.npy` file (format versions
/// 1.0–3.0, <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>):
/// a shape plus row-major (C-order) elements of one of three element types.
///
/// Reading accepts the dtypes datasets actually use and widens or narrows them
/// into the three stored kinds:
///
/// | descr on disk             | stored as  | note                                  |
/// |---------------------------|------------|---------------------------------------|
/// | `<f4`                     | `.float32` | exact                                 |
/// | `<f8`                     | `.float32` | rounded to nearest Float (D4RL rewards are sometimes float64) |
/// | `|b1`                     | `.bool`    | any non-zero byte is `true`           |
/// | `<i8`, `<i4`, `|i1`, `|u1`| `.int64`   | exact                                 |
/// | `<U<n>`                   | `.unicode` | UTF-32 text, trailing NULs dropped (numpy's `str_`) |
///
/// Writing emits `<f4`, `|b1`, `<i8` or `<U<n>` (n the longest string's
/// length in code points) with a version 1.0 header padded to a
/// multiple of 64 bytes, as `numpy.save` does. Big-endian data, Fortran order
/// and object arrays are rejected with an error naming the array.
///
/// Cost: encoding and decoding are one pass over the data (a `memcpy` for
/// `<f4`/`<i8` on little-endian hosts); memory is the element array plus one
/// copy of the encoded bytes.
public struct NumPyArray: Equatable, Sendable {
    /// The element storage, row-major.
    public enum Elements: Equatable, Sendable {
        case float32([Float])
        case bool([Bool])
        case int64([Int64])
        /// NumPy `str_` elements (`<U<n>`): text, as `numpy.load` returns it without pickle.
        case unicode([String])
    }

    /// The shape (`[]` for a scalar, which holds one element).
    public var shape: [Int]
    public var elements: Elements

    /// An array of `elements` with `shape`; the element count must equal the
    /// product of `shape` (a programmer error otherwise).
    public init(shape: [Int], elements: Elements) {
        self.shape = shape
        self.elements = elements
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == count,
                     "NumPyArray: \(count) elements do not fill shape \(shape)")
    }

    public init(_ values: [Float], shape: [Int]) { self.init(shape: shape, elements: .float32(values)) }
    public init(_ values: [Bool], shape: [Int]) { self.init(shape: shape, elements: .bool(values)) }
    public init(_ values: [Int64], shape: [Int]) { self.init(shape: shape, elements: .int64(values)) }
    public init(_ values: [String], shape: [Int]) { self.init(shape: shape, elements: .unicode(values)) }

    /// Number of elements.
    public var count: Int {
        switch elements {
        case .float32(let v): return v.count
        case .bool(let v): return v.count
        case .int64(let v): return v.count
        case .unicode(let v): return v.count
        }
    }

    /// The element type's NumPy name (`float32`, `bool`, `int64`, `str`).
    public var dtypeName: String {
        switch elements {
        case .float32: return "float32"
        case .bool: return "bool"
        case .int64: return "int64"
        case .unicode: return "str"
        }
    }

    /// Whether the elements are numbers (float32 or int64), not bools or text.
    public var isNumeric: Bool {
        switch elements {
        case .float32, .int64: return true
        case .bool, .unicode: return false
        }
    }

    /// The elements converted to Float (bools as 0/1; int64 rounded to nearest;
    /// text parsed as a number, NaN where it is not one, as `astype(float)` would fail).
    public var floatValues: [Float] {
        switch elements {
        case .float32(let v): return v
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .int64(let v): return v.map { Float($0) }
        case .unicode(let v): return v.map { Float($0) ?? .nan }
        }
    }

    /// The elements as Bools (non-zero is `true`), for flag arrays such as `terminals`
    /// that some datasets store as floats.
    public var boolValues: [Bool] {
        switch elements {
        case .float32(let v): return v.map { $0 != 0 }
        case .bool(let v): return v
        case .int64(let v): return v.map { $0 != 0 }
        case .unicode(let v): return v.map { !$0.isEmpty }   // numpy's truth value of a str_
        }
    }

    /// The elements as Int64, or `nil` if they are floats, bools or text.
    public var int64Values: [Int64]? {
        if case .int64(let v) = elements { return v }
        return nil
    }
}

// MARK: - Encoding

extension NumPyArray {
    /// The array encoded as a `.npy` file (format 1.0, little-endian, C order).
    public func npyBytes() -> [UInt8] {
        let descr: String, itemSize: Int
        switch elements {
        case .float32: descr = "<f4"; itemSize = 4
        case .bool: descr = "|b1"; itemSize = 1
        case .int64: descr = "<i8"; itemSize = 8
        case .unicode(let v):
            let width = max(1, v.map(\.unicodeScalars.count).max() ?? 1)
            descr = "<U\(width)"; itemSize = 4 * width
        }
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + header length (2) + header, padded with spaces and a
        // final newline to a multiple of 64 bytes (numpy.lib.format's alignment).
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out.reserveCapacity(10 + header.utf8.count + count * itemSize)
        out.appendLE16(header.utf8.count)
        out.append(contentsOf: header.utf8)
        switch elements {
        case .float32(let v): Self.appendRaw(v, to: &out)
        case .int64(let v): Self.appendRaw(v, to: &out)
        case .bool(let v): out.append(contentsOf: v.map { $0 ? 1 : 0 })
        case .unicode(let v):
            // UTF-32 little-endian, each element NUL-padded to the common width.
            let width = itemSize / 4
            for text in v {
                var written = 0
                for scalar in text.unicodeScalars { out.appendLE32(Int(scalar.value)); written += 1 }
                for _ in written..<width { out.appendLE32(0) }
            }
        }
        return out
    }

    /// Appends the little-endian bytes of fixed-width numbers.
    private static func appendRaw<T: BitwiseCopyable>(_ values: [T], to out: inout [UInt8]) {
        #if _endian(big)
        fatalError("NumPyArray: big-endian hosts are not supported")
        #endif
        values.withUnsafeBytes { out.append(contentsOf: $0) }
    }
}
