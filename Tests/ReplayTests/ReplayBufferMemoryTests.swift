import Foundation
import Replay
import XCTest

/// A replay buffer of a million transitions of a 17-dim observation and a
/// 6-dim action (HalfCheetah's sizes, MBPO's buffer) fits in 200 MB of
/// resident memory: 17 + 17 + 6 + 1 + 2 floats and one episode id per
/// transition are 180 bytes, 180 MB for a million.
final class ReplayBufferMemoryTests: XCTestCase {
    /// Resident memory of this process in bytes (`VmRSS` of /proc/self/status), nil where unavailable.
    static func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    func testAMillionTransitionsOf17DimObservationsStayUnder200MB() throws {
        guard let before = Self.residentBytes() else { throw XCTSkip("no /proc/self/status on this system") }
        var buffer = ReplayBuffer(capacity: 1_000_000, observationSize: 17, actionSize: 6)
        var observation = [Float](repeating: 0, count: 17), next = observation
        let action = [Float](repeating: 0.5, count: 6)
        for t in 0..<1_000_000 {
            next[t % 17] = Float(t)
            buffer.add(observation: observation, action: action, reward: 1, nextObservation: next,
                       terminated: false, truncated: t % 1000 == 999)
            swap(&observation, &next)
        }
        XCTAssertEqual(buffer.count, 1_000_000)
        let grown = try XCTUnwrap(Self.residentBytes()) - before
        print("ReplayBufferMemoryTests: resident memory grew by \(grown / 1_048_576) MB for 1M transitions")
        XCTAssertLessThan(grown, 200 * 1_048_576)
        XCTAssertGreaterThan(grown, 150 * 1_048_576, "the buffer's storage must be resident once filled (the measurement works)")
    }
}
