import Foundation
import SeededRandom

/// Seeded byte-level mutations of a valid input, for the fuzz tests: bit
/// flips, byte overwrites with interesting values, truncation at a random
/// offset, inserted and deleted runs, duplicated ranges. The same generator
/// state gives the same mutant, so a failing case is reproduced by its seed
/// and index (no external fuzzing engine, no corpus on disk).
public struct ByteMutator {
    /// Byte values that often sit on a parser's edge (0, 0x7F, 0xFF, quotes, brackets, digits).
    static let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x22, 0x27, 0x28, 0x29, 0x2C, 0x2D, 0x30, 0x39,
                                       0x3A, 0x5B, 0x5D, 0x7B, 0x7D, 0x0A, 0x20, 0x2E]

    public init() {}

    /// `bytes` after one to `maxMutations` random mutations.
    public func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator, maxMutations: Int = 4) -> [UInt8] {
        var out = bytes
        let rounds = 1 + Int(generator.next() % UInt64(max(1, maxMutations)))
        for _ in 0..<rounds { mutateOnce(&out, using: &generator) }
        return out
    }

    /// A single mutation of `bytes` in place.
    public func mutateOnce(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
        func index(_ upTo: Int) -> Int { upTo <= 0 ? 0 : Int(generator.next() % UInt64(upTo)) }
        guard !bytes.isEmpty else { bytes.append(UInt8(truncatingIfNeeded: generator.next())); return }
        switch generator.next() % 7 {
        case 0:   // flip one bit
            let i = index(bytes.count)
            bytes[i] ^= UInt8(1) << UInt8(generator.next() % 8)
        case 1:   // overwrite a byte with an interesting value
            bytes[index(bytes.count)] = Self.interesting[index(Self.interesting.count)]
        case 2:   // truncate
            bytes.removeSubrange(index(bytes.count)...)
        case 3:   // insert random bytes
            let at = index(bytes.count + 1)
            let run = (0..<(1 + index(8))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            bytes.insert(contentsOf: run, at: at)
        case 4:   // delete a run
            let start = index(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + index(16)))
        case 5:   // duplicate a range
            let start = index(bytes.count)
            let slice = Array(bytes[start..<min(bytes.count, start + 1 + index(32))])
            bytes.insert(contentsOf: slice, at: index(bytes.count + 1))
        default:  // overwrite a random byte
            bytes[index(bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
        }
    }
}

/// The counts of one fuzz run (cases, rejected with a proper error, accepted),
/// printed at the end so CI logs show them. A trap ends the test process, so
/// "traps = 0" is printed only by a run that finished.
public struct FuzzTally: CustomStringConvertible {
    /// What was fuzzed (`configs`, `npz`, `safetensors`, `external replies`).
    public var name: String
    public private(set) var cases = 0
    public private(set) var rejected = 0
    public private(set) var accepted = 0

    /// Whether every rejection is printed (`MBRL_FUZZ_VERBOSE=1 swift test --filter Fuzz`), to review the messages.
    let verbose = ProcessInfo.processInfo.environment["MBRL_FUZZ_VERBOSE"] != nil

    public init(_ name: String) { self.name = name }

    /// Counts a case refused with `error` (printed when verbose).
    public mutating func reject(_ error: Error) {
        cases += 1
        rejected += 1
        if verbose { print("fuzz \(name) rejection: \(error)") }
    }
    public mutating func accept() { cases += 1; accepted += 1 }

    public var description: String {
        "fuzz \(name): cases \(cases), rejected \(rejected), accepted \(accepted), traps 0"
    }
}
