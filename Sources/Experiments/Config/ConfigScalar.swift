import Yams

/// How a YAML scalar reads under the YAML 1.2 core schema, which configs use
/// regardless of Yams' YAML 1.1 resolver (so `no`, `on` and `0o17` are strings
/// and `1e-3` is a number).
///
/// - quoted scalars (`"5"`, `'true'`) are always strings;
/// - `null`, `Null`, `NULL`, `~` and the empty plain scalar are null;
/// - `true`/`false` (also `True`, `TRUE`, ...) are booleans;
/// - `[-+]?[0-9]+` (with `_` separators allowed) is an integer;
/// - decimal and exponent forms (`0.1`, `1e-3`, `-2.5E4`) and `.inf`, `-.inf`,
///   `.nan` are numbers;
/// - anything else is a string.
enum ConfigScalar: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    init(_ scalar: Node.Scalar) {
        let text = scalar.string
        switch scalar.style {
        case .singleQuoted, .doubleQuoted, .literal, .folded:
            self = .string(text)
            return
        default:
            break
        }
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null; return
        case "true", "True", "TRUE": self = .bool(true); return
        case "false", "False", "FALSE": self = .bool(false); return
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": self = .double(.infinity); return
        case "-.inf", "-.Inf", "-.INF": self = .double(-.infinity); return
        case ".nan", ".NaN", ".NAN": self = .double(.nan); return
        default: break
        }
        let digits = text.replacingOccurrences(of: "_", with: "")
        if ConfigScalar.isInteger(digits) {
            // Out-of-range integers are kept as text so the error can show them.
            self = Int(digits).map(ConfigScalar.int) ?? .string(text)
        } else if ConfigScalar.isDecimal(digits), let value = Double(digits) {
            self = .double(value)
        } else {
            self = .string(text)
        }
    }

    /// `[-+]?[0-9]+`
    static func isInteger(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        return !body.isEmpty && body.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?` — no hex, no `inf`/`nan` words.
    static func isDecimal(_ text: String) -> Bool {
        var chars = Substring(text)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        var mantissaDigits = 0
        while let c = chars.first, c.isASCII, c.isNumber { mantissaDigits += 1; chars = chars.dropFirst() }
        if chars.first == "." {
            chars = chars.dropFirst()
            while let c = chars.first, c.isASCII, c.isNumber { mantissaDigits += 1; chars = chars.dropFirst() }
        }
        guard mantissaDigits > 0 else { return false }
        if chars.first == "e" || chars.first == "E" {
            chars = chars.dropFirst()
            if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
            guard !chars.isEmpty, chars.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            return true
        }
        return chars.isEmpty
    }

    /// How an error message names this value: `0`, `1.5`, `true`, `null`, `the string 'many'`.
    var foundDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let v): return String(v)
        case .int(let v): return String(v)
        case .double(let v): return ConfigScalar.render(v)
        case .string(let v): return "the string '\(v)'"
        }
    }

    /// The shortest text that reads back as exactly `value` (`0.001`, `5e-05`, `.inf`).
    /// A `Float` setting as a config value (its shortest round-tripping form, not its `Double` widening).
    static func render(_ value: Float) -> String {
        value.isFinite ? String(value) : render(Double(value))
    }

    static func render(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        return String(value)  // Swift prints the shortest round-tripping form, with a '.' or exponent.
    }
}

extension Node {
    /// How an error message names this node: a scalar's value, `a mapping`, or `a list`.
    var foundDescription: String {
        switch self {
        case .scalar(let scalar): return ConfigScalar(scalar).foundDescription
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
