import Foundation

extension ExperimentReport {
    /// One self-contained page: inline SVG figures and tables, CSS only (no scripts, no network).
    public func html() -> String {
        let e = LinePlot.escape
        var body = "<h1>Report</h1>\n<p class=\"inputs\">Inputs: " + inputs.map { "<code>\(e($0))</code>" }.joined(separator: ", ") + "</p>\n"
        if let grouping {
            body += "<p>\(grouping.groups.count) group(s), \(grouping.groups.map(\.runs.count).reduce(0, +)) run(s). \(e(grouping.summary))</p>\n"
        }
        for section in sections {
            body += "<section>\n<h2>\(e(section.title))</h2>\n"
            if !section.text.isEmpty { body += "<p>\(e(section.text))</p>\n" }
            for item in section.items {
                switch item {
                case let .figure(figure):
                    body += "<figure id=\"\(e(figure.id))\">\n\(figure.plot.svg())<figcaption>\(e(figure.caption))</figcaption>\n</figure>\n"
                case let .table(table):
                    body += "<h3>\(e(table.title))</h3>\n" + (table.note.isEmpty ? "" : "<p class=\"note\">\(e(table.note))</p>\n") + table.html()
                }
            }
            body += "</section>\n"
        }
        body += "<section>\n<h2>Skipped</h2>\n"
        body += skipped.isEmpty ? "<p>Nothing was skipped: every input was read in full.</p>\n" : "<p class=\"note\">\(e(skippedTable.note))</p>\n" + skippedTable.html()
        body += "</section>\n"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>mbrl report</title>
        <style>
        body{font-family:"DejaVu Sans",sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.4}
        table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #bbb;padding:3px 9px;text-align:right}
        td:first-child,th:first-child,#skipped td,#config td{text-align:left}th{background:#f2f2f2}
        figure{margin:1em 0}figcaption,.note{font-size:0.9em;color:#555}code{font-size:0.9em}
        </style>
        </head><body>
        \(body)</body></html>

        """
    }

    /// The same tables in Markdown; figures are referenced as the SVG files `files()` writes beside it.
    public func markdown() -> String {
        var out = "# Report\n\nInputs: " + inputs.map { "`\($0)`" }.joined(separator: ", ") + "\n\n"
        if let grouping { out += "\(grouping.groups.count) group(s), \(grouping.groups.map(\.runs.count).reduce(0, +)) run(s). \(grouping.summary)\n\n" }
        for section in sections {
            out += "## \(section.title)\n\n" + (section.text.isEmpty ? "" : section.text + "\n\n")
            for item in section.items {
                switch item {
                case let .figure(figure): out += "![\(figure.caption)](\(figure.id).svg)\n\n"
                case let .table(table): out += "### \(table.title)\n\n" + (table.note.isEmpty ? "" : table.note + "\n\n") + table.markdown() + "\n"
                }
            }
        }
        out += "## Skipped\n\n" + (skipped.isEmpty ? "Nothing was skipped.\n" : skippedTable.markdown())
        return out
    }

    /// Every table in long format: `table,row,column,value` (intervals as `column`, `column low`, `column high`).
    public func csv() -> String {
        "table,row,column,value\n" + tables.flatMap { $0.csvLines() }.map { $0 + "\n" }.joined()
    }

    /// The files of the report by name: `report.html`, `report.md`, `report.csv` and one `{figure}.svg` per figure.
    public func files() -> [(name: String, contents: String)] {
        [("report.html", html()), ("report.md", markdown()), ("report.csv", csv())] + figures.map { ("\($0.id).svg", $0.plot.svg()) }
    }
}
