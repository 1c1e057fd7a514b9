import Foundation
import SeededRandom

/// Seeded mutations of a valid safetensors file: raw bytes, the length
/// prefix, or the JSON header re-encoded with lying fields.
public struct SafeTensorsMutator {
    public init() {}

    static let dtypes: [Any] = ["F16", "BF16", "F64", "I32", "U8", "", "f32", 3, NSNull(), ["F32"]]
    static let shapes: [Any] = [[Int](), [-1], [0], [4_611_686_018_427_387_904], [4_611_686_018_427_387_904, 4],
                                [3, 4], [4, 3], [1.5], ["3"], [1e300], [2_000_000_000, 2_000_000_000, 0], NSNull(), "[3]",
                                [9.5e18], [-9.5e18], [1, 1, 1, 1, 1, 1, 1, 1, 12]]

    public func mutate(_ valid: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        func pick<T>(_ list: [T]) -> T { list[Int(generator.next() % UInt64(list.count))] }
        switch generator.next() % 4 {
        case 0:
            return ByteMutator().mutate(valid, using: &generator)
        case 1:   // the length prefix lies
            var bytes = valid
            let length: UInt64 = pick([0, 1, 7, 8, UInt64.max, 1 << 63, 100_000_001, 100_000_000, UInt64(valid.count),
                                       UInt64(valid.count - 8), generator.next() % 4096])
            for b in 0..<8 { bytes[b] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(b))) }
            return bytes
        default:
            break
        }
        let headerLength = valid[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard var header = (try? JSONSerialization.jsonObject(with: Data(valid[8..<(8 + headerLength)]))) as? [String: Any] else {
            return valid
        }
        let data = Array(valid[(8 + headerLength)...])
        let names = header.keys.filter { $0 != "__metadata__" }.sorted()
        let name = pick(names)
        var entry = header[name] as? [String: Any] ?? [:]
        switch generator.next() % 8 {
        case 0: entry["dtype"] = pick(Self.dtypes)
        case 1: entry["shape"] = pick(Self.shapes)
        case 2:   // data_offsets lie
            let offsets = entry["data_offsets"] as? [Int] ?? [0, 0]
            let (b, e) = (offsets[0], offsets[1])
            entry["data_offsets"] = pick([[e, b], [b + 4, e + 4], [b, e + 4], [b - 4, e], [b, Int.max], [-8, e], [b],
                                          [b, e, 0], [0, 4_611_686_018_427_387_904], ["0", "4"], [b, 9.3e18], [1e20, 1e21]] as [Any])
        case 3: header.removeValue(forKey: name)
        case 4: header[name + "_renamed"] = entry; header.removeValue(forKey: name)
        case 5:   // metadata of the wrong type, or counters and lists a loader parses, out of range
            var metadata = header["__metadata__"] as? [String: Any] ?? [:]
            let key = metadata.keys.sorted().first { _ in generator.next() % 2 == 0 } ?? "step"
            metadata[key] = pick(["-1", "99999999999999999999", "", "1.5", "0,9", "-1,0", "0,0,0,0", ",", "1,", 3] as [Any])
            header["__metadata__"] = generator.next() % 4 == 0 ? pick(["text", NSNull(), ["step": 3]] as [Any]) : metadata
        case 6: entry.removeValue(forKey: pick(["dtype", "shape", "data_offsets"]))
        default: header[name] = pick([NSNull(), "tensor", [1, 2], [String: Any]()] as [Any])
        }
        if header[name] is [String: Any] { header[name] = entry }
        var json = (try? JSONSerialization.data(withJSONObject: header)).map { [UInt8]($0) } ?? Array("{}".utf8)
        if generator.next() % 2 == 0 { json += Array(repeating: 0x20, count: (8 - json.count % 8) % 8) }
        var out: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64($0))) }
        out += json
        out += generator.next() % 5 == 0 ? Array(data.dropLast(Int(generator.next() % 8))) : data
        return out
    }
}
