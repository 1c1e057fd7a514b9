import Foundation

/// A line chart rendered to standalone SVG: one line per series (the mean over
/// seeds) with an optional shaded band (min–max over seeds), axes with
/// "nice" ticks, and a legend. Plain SVG 1.1, no scripts, so it renders in any
/// browser and embeds in HTML and Markdown.
public struct LinePlot: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        /// Optional lower/upper band (same length as `x`).
        public var band: (lower: [Double], upper: [Double])?

        public init(label: String, x: [Double], y: [Double], band: (lower: [Double], upper: [Double])? = nil) {
            self.label = label; self.x = x; self.y = y; self.band = band
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 640.0
    public var height = 400.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    /// The chart as an SVG document.
    public func svg() -> String {
        let left = 64.0, right = 150.0, top = 36.0, bottom = 48.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xs = series.flatMap(\.x), ys = series.flatMap { $0.y + ($0.band?.lower ?? []) + ($0.band?.upper ?? []) }
        let xTicks = Self.niceTicks(low: xs.min() ?? 0, high: xs.max() ?? 1)
        let yTicks = Self.niceTicks(low: ys.min() ?? 0, high: ys.max() ?? 1)
        let x0 = xTicks.first!, x1 = xTicks.last!, y0 = yTicks.first!, y1 = yTicks.last!
        func px(_ x: Double) -> Double { left + (x - x0) / max(x1 - x0, 1e-12) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - y0) / max(y1 - y0, 1e-12) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left + plotWidth / 2))" y="20" text-anchor="middle" font-size="14">\(Self.escape(title))</text>

        """
        for t in xTicks {
            out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for t in yTicks {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(t)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(Self.label(t))</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            if let band = s.band, !s.x.isEmpty {
                let upper = zip(s.x, band.upper).map { "\(f(px($0))),\(f(py($1)))" }
                let lower = zip(s.x, band.lower).reversed().map { "\(f(px($0))),\(f(py($1)))" }
                out += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let points = zip(s.x, s.y).map { "\(f(px($0))),\(f(py($1)))" }.joined(separator: " ")
            out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            let ly = top + 12 + Double(i) * 18
            out += "<line x1=\"\(f(left + plotWidth + 10))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotWidth + 30))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(f(left + plotWidth + 36))\" y=\"\(f(ly + 4))\">\(Self.escape(s.label))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Tick values covering [low, high] at a 1-2-5 step, about five of them.
    static func niceTicks(low: Double, high: Double) -> [Double] {
        var low = low, high = high
        if high - low < 1e-12 { low -= 1; high += 1 }
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let start = floor(low / step) * step
        var ticks: [Double] = []
        var t = start
        while t < high + step * 0.5 { ticks.append(t); t += step; if ticks.count > 50 { break } }
        if ticks.last! < high { ticks.append(t) }
        return ticks
    }

    static func label(_ v: Double) -> String {
        abs(v) >= 1e4 || (abs(v) < 1e-2 && v != 0) ? String(format: "%.1e", v)
            : v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
