import XCTest
import SeededRandom
@testable import WorldModels

final class FastNormalTests: XCTestCase {
    func draws(_ n: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        var out = [Float](repeating: .nan, count: n)
        out.withUnsafeMutableBufferPointer { g.fillStandardNormalFast($0) }
        return out
    }

    func testMomentsAndTailsOfAStandardNormal() {
        let x = draws(400_001, seed: 3).map(Double.init)   // odd length covers the tail path
        XCTAssertFalse(x.contains { !$0.isFinite })
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        let kurtosis = x.map { pow(($0 - mean), 4) }.reduce(0, +) / n / (variance * variance)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
        XCTAssertEqual(kurtosis, 3, accuracy: 0.05)
        // P(|z| > 1.96) = 0.05, P(z < -1) = 0.1587
        XCTAssertEqual(Double(x.filter { abs($0) > 1.96 }.count) / n, 0.05, accuracy: 0.002)
        XCTAssertEqual(Double(x.filter { $0 < -1 }.count) / n, 0.1587, accuracy: 0.003)
    }

    func testReproducibleFromTheSeed() {
        XCTAssertEqual(draws(1001, seed: 7), draws(1001, seed: 7))
        XCTAssertNotEqual(draws(1001, seed: 7), draws(1001, seed: 8))
    }
}
