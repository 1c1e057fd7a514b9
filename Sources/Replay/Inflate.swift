/// A decoder for raw DEFLATE streams (RFC 1951), the compression of ZIP method 8
/// and so of `numpy.savez_compressed`. Handles stored, fixed-Huffman and
/// dynamic-Huffman blocks.
///
/// Huffman codes are decoded through a single lookup table indexed by the next
/// `maxLength` input bits (at most 2^15 entries, rebuilt per dynamic block), so
/// each symbol costs one table read. Back-references copy byte by byte
/// (overlapping copies are how DEFLATE encodes runs). Cost: O(input + output)
/// time; memory is the output array plus two tables.
///
/// Malformed or truncated input throws `Failure.invalid` with the reason; it
/// never traps or reads out of bounds.
enum Inflate {
    enum Failure: Error { case invalid(String) }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                             3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                              257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                              8193, 12289, 16385, 24577]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                               7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// Order in which code-length code lengths are sent in a dynamic block header.
    private static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Decompresses `input[range]`; `expectedSize` only reserves capacity.
    static func decompress(_ input: [UInt8], range: Range<Int>, expectedSize: Int) throws -> [UInt8] {
        var reader = BitReader(bytes: input, position: range.lowerBound, end: range.upperBound)
        var out: [UInt8] = []
        out.reserveCapacity(max(0, min(expectedSize, 1 << 31)))
        let fixedLiterals = try Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
        let fixedDistances = try Huffman(lengths: [UInt8](repeating: 5, count: 30))
        var last = false
        while !last {
            last = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0:
                try reader.alignToByte()
                let length = try reader.bits(16), complement = try reader.bits(16)
                guard length == ~complement & 0xFFFF else { throw Failure.invalid("stored block length check failed") }
                try reader.copyBytes(length, to: &out)
            case 1:
                try inflateBlock(&reader, &out, fixedLiterals, fixedDistances)
            case 2:
                let (literals, distances) = try dynamicTables(&reader)
                try inflateBlock(&reader, &out, literals, distances)
            default:
                throw Failure.invalid("reserved block type 3")
            }
        }
        return out
    }

    private static func dynamicTables(_ reader: inout BitReader) throws -> (Huffman, Huffman) {
        let literalCount = try reader.bits(5) + 257
        let distanceCount = try reader.bits(5) + 1
        let codeLengthCount = try reader.bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw Failure.invalid("too many length or distance codes") }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[codeLengthOrder[i]] = UInt8(try reader.bits(3)) }
        let codeLengthCode = try Huffman(lengths: codeLengthLengths)
        var lengths: [UInt8] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try codeLengthCode.decode(&reader)
            switch symbol {
            case 0...15: lengths.append(UInt8(symbol))
            case 16:
                guard let previous = lengths.last else { throw Failure.invalid("repeat code with no previous length") }
                lengths.append(contentsOf: repeatElement(previous, count: 3 + (try reader.bits(2))))
            case 17: lengths.append(contentsOf: repeatElement(0, count: 3 + (try reader.bits(3))))
            default: lengths.append(contentsOf: repeatElement(0, count: 11 + (try reader.bits(7))))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw Failure.invalid("code lengths overrun the table") }
        guard lengths[256] != 0 else { throw Failure.invalid("no end-of-block code") }
        return (try Huffman(lengths: Array(lengths[0..<literalCount])),
                try Huffman(lengths: Array(lengths[literalCount...])))
    }

    private static func inflateBlock(_ reader: inout BitReader, _ out: inout [UInt8],
                                     _ literals: Huffman, _ distances: Huffman) throws {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let li = symbol - 257
                guard li < 29 else { throw Failure.invalid("invalid length symbol \(symbol)") }
                let length = lengthBase[li] + (try reader.bits(lengthExtra[li]))
                let di = try distances.decode(&reader)
                guard di < 30 else { throw Failure.invalid("invalid distance symbol \(di)") }
                let distance = distanceBase[di] + (try reader.bits(distanceExtra[di]))
                guard distance <= out.count else {
                    throw Failure.invalid("distance \(distance) reaches before the start of the output")
                }
                let start = out.count - distance
                for i in 0..<length { out.append(out[start + i]) }
            }
        }
    }

    /// Little-endian bit reader over `bytes[position..<end]`. Reads past the end
    /// are padded with zero bits for peeking, but consuming them throws.
    private struct BitReader {
        let bytes: [UInt8]
        var position: Int
        let end: Int
        var buffer: UInt64 = 0
        var count = 0
        /// Zero bits added past the end of the input (at the top of `buffer`).
        var padding = 0

        init(bytes: [UInt8], position: Int, end: Int) {
            self.bytes = bytes
            self.position = position
            self.end = end
        }

        mutating func fill(_ n: Int) {
            while count < n {
                if position < end {
                    buffer |= UInt64(bytes[position]) << UInt64(count)
                    position += 1
                } else {
                    padding += 8
                }
                count += 8
            }
        }

        mutating func peek(_ n: Int) -> Int {
            fill(n)
            return Int(buffer & ((1 << UInt64(n)) - 1))
        }

        mutating func consume(_ n: Int) throws {
            buffer >>= UInt64(n)
            count -= n
            guard count >= padding else { throw Failure.invalid("stream ends inside a block (truncated data)") }
        }

        mutating func bits(_ n: Int) throws -> Int {
            guard n > 0 else { return 0 }
            let v = peek(n)
            try consume(n)
            return v
        }

        mutating func alignToByte() throws { try consume(count % 8) }

        mutating func copyBytes(_ n: Int, to out: inout [UInt8]) throws {
            // After alignment the buffer holds whole bytes; drain them first.
            var remaining = n
            while remaining > 0, count - padding >= 8 {
                out.append(UInt8(truncatingIfNeeded: try bits(8)))
                remaining -= 1
            }
            guard remaining <= end - position else { throw Failure.invalid("stored block runs past the end of the data") }
            out.append(contentsOf: bytes[position..<(position + remaining)])
            position += remaining
        }
    }

    /// A canonical Huffman code as a lookup table indexed by the next
    /// `maxLength` bits (bit-reversed codes, since DEFLATE packs them MSB-first).
    private struct Huffman {
        /// `symbol << 4 | length`; 0 marks a bit pattern no code starts with.
        var table: [UInt16]
        var maxLength: Int

        init(lengths: [UInt8]) throws {
            maxLength = Int(lengths.max() ?? 0)
            table = []
            guard maxLength > 0 else { return }   // an empty code (e.g. no distances): any decode fails
            var lengthCount = [Int](repeating: 0, count: 16)
            for l in lengths where l > 0 { lengthCount[Int(l)] += 1 }
            var nextCode = [Int](repeating: 0, count: 16)
            var code = 0, available = 1
            for bits in 1...15 {
                code = (code + lengthCount[bits - 1]) << 1
                nextCode[bits] = code
                available = available * 2 - lengthCount[bits]
                guard available >= 0 else { throw Failure.invalid("over-subscribed Huffman code") }
            }
            table = [UInt16](repeating: 0, count: 1 << maxLength)
            for (symbol, l) in lengths.enumerated() where l > 0 {
                let length = Int(l)
                var reversed = 0, c = nextCode[length]
                nextCode[length] += 1
                for _ in 0..<length { reversed = reversed << 1 | (c & 1); c >>= 1 }
                let entry = UInt16(symbol << 4 | length)
                for index in stride(from: reversed, to: 1 << maxLength, by: 1 << length) { table[index] = entry }
            }
        }

        func decode(_ reader: inout BitReader) throws -> Int {
            guard maxLength > 0 else { throw Failure.invalid("symbol from an empty Huffman code") }
            let entry = Int(table[reader.peek(maxLength)])
            guard entry != 0 else { throw Failure.invalid("bit pattern matches no Huffman code") }
            try reader.consume(entry & 15)
            return entry >> 4
        }
    }
}
