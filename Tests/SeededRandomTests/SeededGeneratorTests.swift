import XCTest
import SeededRandom

final class SeededGeneratorTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let xa = (0..<8).map { _ in a.next() }
        XCTAssertEqual(xa, (0..<8).map { _ in b.next() })
        XCTAssertNotEqual(xa, (0..<8).map { _ in c.next() })
    }

    func testSplitIsIndependentAndReproducible() {
        var p1 = SeededGenerator(seed: 7), p2 = SeededGenerator(seed: 7)
        var c1 = p1.split(), c2 = p2.split()
        XCTAssertEqual(c1.next(), c2.next())
        XCTAssertEqual(p1.next(), p2.next())
        var q = SeededGenerator(seed: 7)
        var child = q.split()
        XCTAssertNotEqual(child.next(), q.next())
    }

    func testUniformAndNormalMoments() {
        var g = SeededGenerator(seed: 1)
        let n = 200_000
        var s = 0.0, s2 = 0.0, u = 0.0
        for _ in 0..<n {
            let x = g.normal(); s += x; s2 += x * x
            let v = g.uniformFloat(); XCTAssert(v >= 0 && v < 1); u += Double(v)
        }
        XCTAssertEqual(s / Double(n), 0, accuracy: 0.01)
        XCTAssertEqual(s2 / Double(n), 1, accuracy: 0.01)
        XCTAssertEqual(u / Double(n), 0.5, accuracy: 0.005)
    }

    func testCategoricalFrequencies() {
        var g = SeededGenerator(seed: 3)
        var counts = [0, 0, 0]
        for _ in 0..<60_000 { counts[g.categorical([1.0, 0.0, 3.0])] += 1 }
        XCTAssertEqual(counts[1], 0)
        XCTAssertEqual(Double(counts[2]) / 60_000, 0.75, accuracy: 0.01)
    }

    func testPermutationIsAPermutation() {
        var g = SeededGenerator(seed: 5)
        let p = g.permutation(100)
        XCTAssertEqual(p.sorted(), Array(0..<100))
        XCTAssertNotEqual(p, Array(0..<100))
    }

    func testCodableRoundTrip() throws {
        var g = SeededGenerator(seed: 9); _ = g.next()
        let data = try JSONEncoder().encode(g)
        var h = try JSONDecoder().decode(SeededGenerator.self, from: data)
        XCTAssertEqual(g.next(), h.next())
    }
}
