import Foundation

/// A JSON value for benchmark lines, written with keys in insertion order so
/// the lines read like peers/torch_bench.py's output.
public enum BenchmarkValue: Equatable {
    case number(Double)
    case integer(Int)
    case string(String)
    case bool(Bool)
    case array([BenchmarkValue])
    case null

    var json: String {
        switch self {
        case .number(let x): return x.isFinite ? "\(x)" : "null"
        case .integer(let i): return "\(i)"
        case .string(let s): return BenchmarkValue.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(\.json).joined(separator: ", ") + "]"
        case .null: return "null"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// One benchmark result: ordered key–value pairs, the first being `"case"`.
public struct BenchmarkRecord: Equatable {
    public private(set) var fields: [(key: String, value: BenchmarkValue)]

    public init(case name: String) { fields = [("case", .string(name))] }

    public mutating func set(_ key: String, _ value: BenchmarkValue) {
        if let i = fields.firstIndex(where: { $0.key == key }) { fields[i].value = value } else { fields.append((key, value)) }
    }

    public subscript(key: String) -> BenchmarkValue? { fields.first { $0.key == key }?.value }

    /// The record as one JSON line.
    public var jsonLine: String {
        "{" + fields.map { "\(BenchmarkValue.quote($0.key)): \($0.value.json)" }.joined(separator: ", ") + "}"
    }

    public static func == (a: BenchmarkRecord, b: BenchmarkRecord) -> Bool { a.jsonLine == b.jsonLine }
}
