import Foundation

/// A line chart rendered to standalone SVG: one line per series (the mean over
/// seeds) with an optional shaded band (e.g. a bootstrap 95% band), axes with
/// "nice" ticks, and a legend. Plain SVG 1.1, no scripts, so it renders in any
/// browser and embeds in HTML and Markdown.
///
/// Series stay apart in colour and in grey print: Okabe–Ito's colour-blind-safe
/// palette, each series also with its own dash pattern and marker shape (the
/// legend shows all three). Each line is a `<polyline class="series">`.
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
    /// A log₂ x axis (ticks at the powers of two in range), for values spanning decades such as lengths.
    public var logarithmicX = false
    public var width = 760.0
    public var height = 420.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    /// Okabe & Ito (2008), colour-blind safe; ordered so neighbours also differ in lightness.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
    /// Dash patterns (SVG `stroke-dasharray`), cycled with a different period than the palette.
    static let dashes = ["none", "6 3", "2 3", "8 3 2 3", "12 4", "2 2 6 2", "4 4"]
    static let markers = ["circle", "square", "triangle", "diamond", "cross", "triangle-down", "plus"]

    /// A marker of `shape` centred at (x, y), as an SVG element.
    static func marker(_ shape: String, x: Double, y: Double, color: String) -> String {
        let r = 4.0
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        switch shape {
        case "circle":
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(color)\"/>"
        case "square":
            return "<rect x=\"\(f(x - r))\" y=\"\(f(y - r))\" width=\"\(f(2 * r))\" height=\"\(f(2 * r))\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        case "triangle":
            return "<path d=\"M\(f(x)) \(f(y - r - 1))L\(f(x + r + 1)) \(f(y + r))L\(f(x - r - 1)) \(f(y + r))Z\" fill=\"\(color)\"/>"
        case "diamond":
            return "<path d=\"M\(f(x)) \(f(y - r - 1))L\(f(x + r + 1)) \(f(y))L\(f(x)) \(f(y + r + 1))L\(f(x - r - 1)) \(f(y))Z\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        case "cross":
            return "<path d=\"M\(f(x - r)) \(f(y - r))L\(f(x + r)) \(f(y + r))M\(f(x - r)) \(f(y + r))L\(f(x + r)) \(f(y - r))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        case "triangle-down":
            return "<path d=\"M\(f(x)) \(f(y + r + 1))L\(f(x + r + 1)) \(f(y - r))L\(f(x - r - 1)) \(f(y - r))Z\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        default:
            return "<path d=\"M\(f(x - r)) \(f(y))L\(f(x + r)) \(f(y))M\(f(x)) \(f(y - r))L\(f(x)) \(f(y + r))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        }
    }

    /// The chart as an SVG document.
    public func svg() -> String {
        let legendWidth = min(320.0, max(150.0, 50 + 6.5 * Double(series.map(\.label.count).max() ?? 0)))
        let left = 64.0, right = legendWidth, top = 36.0, bottom = 48.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let logarithmicX = self.logarithmicX && series.allSatisfy { $0.x.allSatisfy { $0 > 0 } }
        func scaled(_ x: Double) -> Double { logarithmicX ? log2(x) : x }
        let xs = series.flatMap(\.x).filter(\.isFinite).map(scaled)
        let ys = series.flatMap { $0.y + ($0.band?.lower ?? []) + ($0.band?.upper ?? []) }.filter(\.isFinite)
        let xTicks = logarithmicX ? Self.powerOfTwoTicks(low: xs.min() ?? 0, high: xs.max() ?? 1)
            : Self.niceTicks(low: xs.min() ?? 0, high: xs.max() ?? 1)
        let yTicks = Self.niceTicks(low: ys.min() ?? 0, high: ys.max() ?? 1)
        let x0 = xTicks.first!, x1 = xTicks.last!, y0 = yTicks.first!, y1 = yTicks.last!
        func px(_ x: Double) -> Double { left + (scaled(x) - x0) / max(x1 - x0, 1e-12) * plotWidth }
        func tickX(_ t: Double) -> Double { left + (t - x0) / max(x1 - x0, 1e-12) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - y0) / max(y1 - y0, 1e-12) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left + plotWidth / 2))" y="20" text-anchor="middle" font-size="14">\(Self.escape(title))</text>

        """
        for t in xTicks {
            out += "<line x1=\"\(f(tickX(t)))\" y1=\"\(f(top))\" x2=\"\(f(tickX(t)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(tickX(t)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(Self.label(logarithmicX ? exp2(t) : t))</text>\n"
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
            let dash = Self.dashes[i % Self.dashes.count]
            let shape = Self.markers[i % Self.markers.count]
            let dashAttribute = dash == "none" ? "" : " stroke-dasharray=\"\(dash)\""
            if let band = s.band, !s.x.isEmpty {
                let upper = zip(s.x, band.upper).map { "\(f(px($0))),\(f(py($1)))" }
                let lower = zip(s.x, band.lower).reversed().map { "\(f(px($0))),\(f(py($1)))" }
                out += "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let points = zip(s.x, s.y).map { "\(f(px($0))),\(f(py($1)))" }.joined(separator: " ")
            out += "<polyline class=\"series\" data-series=\"\(Self.escape(s.label))\" points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dashAttribute)/>\n"
            // Markers on about eight points, offset per series so they do not sit on each other.
            let stride = max(1, s.x.count / 8)
            var markerIndex = s.x.count > 1 ? (i * max(1, stride / max(series.count, 1))) % stride : 0
            out += "<g class=\"markers\">"
            while markerIndex < s.x.count {
                out += Self.marker(shape, x: px(s.x[markerIndex]), y: py(s.y[markerIndex]), color: color)
                markerIndex += stride
            }
            out += "</g>\n"
            let ly = top + 12 + Double(i) * 18
            out += "<line x1=\"\(f(left + plotWidth + 10))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotWidth + 34))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"2\"\(dashAttribute)/>"
            out += Self.marker(shape, x: left + plotWidth + 22, y: ly, color: color)
            out += "<text x=\"\(f(left + plotWidth + 40))\" y=\"\(f(ly + 4))\">\(Self.escape(s.label))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Integer log₂ ticks covering [low, high] (values already log₂), at most about ten: every power of two, or every other.
    static func powerOfTwoTicks(low: Double, high: Double) -> [Double] {
        var low = floor(low), high = ceil(high)
        if high - low < 1 { low -= 1; high += 1 }
        let step = high - low > 10 ? 2.0 : 1.0
        high = low + ceil((high - low) / step) * step
        return Array(stride(from: low, through: high + step / 2, by: step))
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
        if abs(v) >= 1e4 && abs(v) < 1e9 && (v / 1000).rounded() == v / 1000 {
            let k = v / 1000
            return k >= 1000 && (k / 1000).rounded() == k / 1000 ? "\(Int(k / 1000))M" : "\(Int(k))k"
        }
        return abs(v) >= 1e4 || (abs(v) < 1e-2 && v != 0) ? String(format: "%.1e", v)
            : v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
