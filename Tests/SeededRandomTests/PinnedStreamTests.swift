import SeededRandom
import XCTest

/// The generator's streams, pinned to values computed by an independent
/// implementation of the published algorithms (SplitMix64 seeding, then
/// xoshiro256**, in Python with explicit 64-bit masks): a change to the
/// generator, its seeding or `split()` changes every experiment's numbers,
/// and must fail here first.
final class PinnedStreamTests: XCTestCase {
    func testRawStreamsMatchTheReferenceAlgorithm() {
        let expected: [UInt64: [UInt64]] = [
            0: [11_091_344_671_253_066_420, 13_793_997_310_169_335_082, 1_900_383_378_846_508_768, 7_684_712_102_626_143_532],
            42: [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009, 17_057_574_109_182_124_193],
            .max: [10_328_197_420_357_168_392, 14_156_678_507_024_973_869, 9_357_971_779_955_476_126, 13_791_585_006_304_312_367],
        ]
        for (seed, values) in expected {
            var generator = SeededGenerator(seed: seed)
            XCTAssertEqual((0..<4).map { _ in generator.next() }, values, "seed \(seed)")
        }
    }

    func testSplitStreamIsPinned() {
        var parent = SeededGenerator(seed: 7)
        var child = parent.split()
        XCTAssertEqual([child.next(), child.next()], [8_758_858_944_576_618_147, 9_865_908_496_891_808_013])
        XCTAssertEqual(parent.next(), 5_142_052_590_334_782_674)
    }

    func testUniformsTakeTheTopBitsOfTheStream() {
        var generator = SeededGenerator(seed: 0)
        XCTAssertEqual(generator.uniformDouble(), 0.6012629994179048)   // (11091344671253066420 >> 11) · 2⁻⁵³
        XCTAssertEqual(generator.uniformFloat(), 0.747774064540863)    // (13793997310169335082 >> 40) · 2⁻²⁴
    }
}
