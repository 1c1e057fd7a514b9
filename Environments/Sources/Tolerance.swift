import Foundation

/// dm_control's `rewards.tolerance` for the bounds `(0, 0)`: `1` at `x = 0`,
/// decaying with `|x| / margin` to `valueAtMargin` at `|x| = margin`.
enum Tolerance {
    /// Gaussian sigmoid: `exp(−½ (d·s)²)`, `s = sqrt(−2 ln valueAtMargin)`, `d = |x|/margin`.
    static func gaussian(_ x: Double, margin: Double, valueAtMargin: Double = 0.1) -> Double {
        if x == 0 { return 1 }
        let scale = (-2 * log(valueAtMargin)).squareRoot()
        let d = abs(x) / margin * scale
        return exp(-0.5 * d * d)
    }

    /// Quadratic sigmoid: `1 − (d·s)²` inside the margin, `0` beyond, `s = sqrt(1 − valueAtMargin)`.
    static func quadratic(_ x: Double, margin: Double, valueAtMargin: Double = 0) -> Double {
        if x == 0 { return 1 }
        let d = abs(x) / margin * (1 - valueAtMargin).squareRoot()
        return abs(d) < 1 ? 1 - d * d : 0
    }
}
