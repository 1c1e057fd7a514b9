import Replay
import XCTest
@testable import Experiments

final class DatasetMixerTests: XCTestCase {
    /// A dataset of episodes with the given lengths whose rewards say `tag` and whose
    /// observations hold (episode, step), so a mixed row tells where it came from.
    private func dataset(_ lengths: [Int], tag: Float) -> OfflineDataset {
        var obs: [Float] = [], rewards: [Float] = [], terminals: [Bool] = []
        for (e, length) in lengths.enumerated() {
            for s in 0..<length {
                obs += [Float(e), Float(s)]
                rewards.append(tag)
                terminals.append(s == length - 1)
            }
        }
        let n = rewards.count
        return OfflineDataset(observationSize: 2, actionSize: 1, observations: obs, actions: [Float](repeating: 0, count: n),
                              rewards: rewards, nextObservations: obs, terminals: terminals, timeouts: [Bool](repeating: false, count: n))
    }

    func testMixKeepsWholeEpisodesAtTheFractions() throws {
        let a = dataset(Array(repeating: 10, count: 40), tag: 1)   // 400 rows
        let b = dataset(Array(repeating: 20, count: 10), tag: 2)   // 200 rows
        let mixed = try DatasetMixer.mix([.init(dataset: a, file: "a.npz"), .init(dataset: b, file: "b.npz")],
                                         fractions: [0.25, 0.75], seed: 0)
        // T = min(400 / 0.25, 200 / 0.75) = 266.7: 66.7 rows of a (6 episodes), 200 of b (10 episodes).
        XCTAssertEqual(mixed.rewards.filter { $0 == 1 }.count, 60)
        XCTAssertEqual(mixed.rewards.filter { $0 == 2 }.count, 200)
        XCTAssertEqual(mixed.metadata?.level, .mixed)
        XCTAssertEqual(mixed.metadata?.episodes.count, 16)
        XCTAssertEqual(mixed.metadata?.episodes.incompleteSteps, 0)
        // Whole episodes: each starts at step 0 and counts up to its terminal.
        var step = 0
        for i in 0..<mixed.count {
            XCTAssertEqual(mixed.observations[2 * i + 1], Float(step), "row \(i)")
            step = mixed.terminals[i] ? 0 : step + 1
        }
        // Interleaved, and the same seed gives the same mix.
        XCTAssertNotEqual(Array(mixed.rewards.prefix(60)), [Float](repeating: 1, count: 60))
        XCTAssertEqual(try DatasetMixer.mix([.init(dataset: a, file: "a.npz"), .init(dataset: b, file: "b.npz")],
                                            fractions: [0.25, 0.75], seed: 0), mixed)
    }

    func testBadFractionsAndShapesAreErrors() {
        let a = dataset([3, 3], tag: 1)
        XCTAssertThrowsError(try DatasetMixer.mix([.init(dataset: a, file: "a.npz")], fractions: [0.5, 0.5], seed: 0)) {
            XCTAssertEqual("\($0)", "--fractions has 2 values for 1 datasets; give one per dataset")
        }
        var open = a
        open.terminals = [Bool](repeating: false, count: 6)
        XCTAssertThrowsError(try DatasetMixer.mix([.init(dataset: open, file: "o.npz")], fractions: [1], seed: 0)) {
            XCTAssertEqual("\($0)", "o.npz has no complete episode (no row with terminals or timeouts set)")
        }
    }
}
