import Foundation

/// Runs' values of one metric put on one x grid so they can be averaged
/// (`CurveBand`): against environment steps (`.step`), every step any run
/// logged the metric at within the range all runs cover, each run taking its
/// most recent value at or before that step (a step function, as episode
/// returns hold until the next episode ends), thinned evenly to at most
/// `maximumPoints`; or against the metric's index (`.index`: the n-th value),
/// up to the shortest run.
public struct AlignedCurves: Sendable, Equatable {
    public var x: [Double]
    /// `curves[r][i]`: run r's value at `x[i]`.
    public var curves: [[Double]]

    public init(series: [[(step: Double, value: Double)]], xAxis: ComparisonReport.XAxis, maximumPoints: Int = 100) {
        let series = series.filter { !$0.isEmpty }
        guard !series.isEmpty else { x = []; curves = []; return }
        switch xAxis {
        case .index:
            let length = series.map(\.count).min()!
            let grid = Self.thin((0..<length).map(Double.init), to: maximumPoints)
            x = grid
            curves = series.map { s in grid.map { s[Int($0)].value } }
        case .step:
            let start = series.map { $0.map(\.step).min()! }.max()!
            let end = series.map { $0.map(\.step).max()! }.min()!
            let steps = Set(series.flatMap { $0.map(\.step) }).filter { $0 >= start && $0 <= end }.sorted()
            let grid = Self.thin(steps.isEmpty ? [end] : steps, to: maximumPoints)
            x = grid
            curves = series.map { s in
                let ordered = s.sorted { $0.step < $1.step }
                var index = 0
                var current = ordered[0].value
                return grid.map { step in
                    while index < ordered.count && ordered[index].step <= step { current = ordered[index].value; index += 1 }
                    return current
                }
            }
        }
    }

    /// At most `count` values evenly spread over `values`, the first and last kept.
    static func thin(_ values: [Double], to count: Int) -> [Double] {
        guard values.count > count, count >= 2 else { return values }
        var picked: [Double] = []
        for i in 0..<count {
            let value = values[Int((Double(i) * Double(values.count - 1) / Double(count - 1)).rounded())]
            if picked.last != value { picked.append(value) }
        }
        return picked
    }
}
