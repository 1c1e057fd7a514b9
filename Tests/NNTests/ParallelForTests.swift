import NN
import XCTest

final class ParallelForTests: XCTestCase {
    func testRangesCoverTheCountContiguouslyWithSizesWithinOne() {
        for (count, parts) in [(10, 4), (7, 7), (3, 8), (0, 3), (64, 2), (5, 0)] {
            let ranges = ParallelFor.ranges(count: count, parts: parts)
            XCTAssertEqual(ranges.count, max(1, min(parts, count)), "\(count) in \(parts)")
            XCTAssertEqual(ranges.first?.lowerBound, 0)
            XCTAssertEqual(ranges.last?.upperBound, count)
            for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
            let sizes = ranges.map(\.count)
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(count) in \(parts): \(sizes)")
        }
        XCTAssertEqual(ParallelFor.ranges(count: 10, parts: 4), [0..<2, 2..<5, 5..<7, 7..<10])
    }

    func testChunksRunEveryRangeOnceWithItsPartIndex() {
        let count = 1000, parts = 3
        let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { seen.deallocate() }
        seen.initialize(repeating: -1)
        ParallelFor.chunks(count: count, parts: parts) { part, range in
            for i in range { seen[i] = part }  // disjoint ranges: no two workers write one slot
        }
        XCTAssertEqual(Array(seen), ParallelFor.ranges(count: count, parts: parts).enumerated().flatMap {
            Array(repeating: $0.offset, count: $0.element.count)
        })
    }

    func testWorkersRunEachIndexOnceAndNoneForZero() {
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0)
        ParallelFor.workers(4) { hits[$0] += 1 }
        XCTAssertEqual(Array(hits), [1, 1, 1, 1])
        var calls = 0
        ParallelFor.workers(0) { _ in calls += 1 }
        XCTAssertEqual(calls, 0)
    }
}
