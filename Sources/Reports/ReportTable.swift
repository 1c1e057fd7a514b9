import Foundation

/// A table cell: text, a number, or an estimate with its interval. Markdown and
/// HTML show it rounded; the CSV keeps full precision (an interval as three
/// values: the column, `column low`, `column high`). NaN shows as `-`.
public enum ReportCell: Sendable, Equatable, ExpressibleByStringLiteral {
    case text(String)
    case number(Double, digits: Int)
    case interval(ConfidenceInterval, digits: Int)
    /// An interval shown with `digits` significant digits (errors spanning decades, e.g. RMSEs).
    case significantInterval(ConfidenceInterval, digits: Int)

    public init(stringLiteral value: String) { self = .text(value) }

    /// The rounded text shown in Markdown and HTML.
    public var display: String {
        switch self {
        case let .text(s): return s
        case let .number(v, digits): return v.isFinite ? String(format: "%.\(digits)f", v) : "-"
        case let .interval(ci, digits): return ci.estimate.isFinite ? ci.formatted(digits: digits) : "-"
        case let .significantInterval(ci, digits): return ci.estimate.isFinite ? ci.formatted(significantDigits: digits) : "-"
        }
    }

    /// (column suffix, full-precision value) pairs for the CSV.
    var csvValues: [(String, String)] {
        func full(_ v: Double) -> String { v.isFinite ? "\(v)" : "" }
        switch self {
        case let .text(s): return [("", s)]
        case let .number(v, _): return [("", full(v))]
        case let .interval(ci, _), let .significantInterval(ci, _):
            return [("", full(ci.estimate)), (" low", full(ci.lower)), (" high", full(ci.upper))]
        }
    }
}

/// One table of a report, rendered the same way to Markdown, HTML and the
/// long-format CSV (`table,row,column,value`), so the three files carry the
/// same numbers.
public struct ReportTable: Sendable, Equatable {
    /// A short machine name (the CSV's `table` column, the HTML `id`).
    public var id: String
    public var title: String
    /// A sentence under the title: what the numbers are and how they were computed.
    public var note: String
    public var header: [String]
    public var rows: [[ReportCell]]

    public init(id: String, title: String, note: String = "", header: [String], rows: [[ReportCell]]) {
        self.id = id
        self.title = title
        self.note = note
        self.header = header
        self.rows = rows
    }

    public func markdown() -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for row in rows { out += "| " + row.map { cell($0.display) }.joined(separator: " | ") + " |\n" }
        return out
    }

    public func html() -> String {
        var out = "<table id=\"\(LinePlot.escape(id))\">\n<thead><tr>" + header.map { "<th>\(LinePlot.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows { out += "<tr>" + row.map { "<td>\(LinePlot.escape($0.display))</td>" }.joined() + "</tr>\n" }
        return out + "</tbody></table>\n"
    }

    /// Long-format CSV lines (no header): `table,row,column,value`, the row named by its first cell.
    public func csvLines() -> [String] {
        rows.flatMap { row in
            zip(header, row).dropFirst().flatMap { column, value in
                value.csvValues.map { suffix, text in
                    [id, row.first?.display ?? "", column + suffix, text].map(Self.csvField).joined(separator: ",")
                }
            }
        }
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
