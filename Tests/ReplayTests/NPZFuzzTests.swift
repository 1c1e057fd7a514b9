import Foundation
import SeededRandom
import TestSupport
import XCTest
@testable import Replay

/// Fuzzing `.npz` loading with a fixed budget: a valid dataset (with its
/// `metadata`) and a valid saved replay buffer, mutated by a seeded generator
/// — raw bytes (truncation at random offsets, bit flips, insertions), and,
/// inside a ZIP rebuilt with correct CRCs, `.npy` headers with wrong dtype
/// strings, shapes and lengths that lie, Fortran order, cut or padded data,
/// broken metadata JSON and replay bookkeeping — then loaded with both
/// `OfflineDataset.load(from:)` and `ReplayBuffer.load(from:)`. Every failure
/// must be a `DatasetError` naming the file and the array (or ZIP entry, or
/// the ZIP container itself); nothing may trap.
final class NPZFuzzTests: XCTestCase {
    private let budget = FuzzBudget(cases: 1000, seed: 0x4E505A)

    func testMutatedNPZFilesAreLoadedOrRejectedWithADatasetError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bases = try [validDatasetBytes(in: directory), validReplayBufferBytes(in: directory)]
        let url = directory.appendingPathComponent("mutant.npz")
        var tally = FuzzTally("npz (dataset and replay-buffer loads)")
        var generator = SeededGenerator(seed: budget.seed)
        let mutator = NPZMutator()
        for index in 0..<budget.cases {
            let base = bases[index % 2]
            let bytes = try mutator.mutate(base, using: &generator)
            try Data(bytes).write(to: url)
            for loader in ["OfflineDataset", "ReplayBuffer"] {
                do {
                    if loader == "OfflineDataset" { _ = try OfflineDataset.load(from: url) } else { _ = try ReplayBuffer.load(from: url) }
                    tally.accept()
                } catch let error as DatasetError {
                    tally.reject(error)
                    if error.file != url.path || !error.description.hasPrefix(url.path) {
                        XCTFail("case \(index) (\(loader)): the error does not name the file: \(error)")
                    }
                    // The array (or ZIP entry) it is about, unless the container itself is broken.
                    if !(error.message.contains("array '") || error.message.contains("entry '") || error.message.contains("ZIP")) {
                        XCTFail("case \(index) (\(loader)): the error names no array: \(error)")
                    }
                } catch let error as ReplayError {
                    tally.reject(error)
                    XCTFail("case \(index) (\(loader)): a ReplayError does not name the file: \(error)")
                } catch {
                    tally.reject(error)
                    XCTFail("case \(index) (\(loader)): threw \(type(of: error)) instead of a DatasetError: \(error)")
                }
            }
        }
        print(tally)
        XCTAssertGreaterThanOrEqual(tally.cases, 2000)
    }

    // MARK: - Valid inputs

    private func validDatasetBytes(in directory: URL) throws -> [UInt8] {
        var buffer = ReplayBuffer(capacity: 8, observationSize: 3, actionSize: 2)
        for k in 0..<6 { buffer.addSynthetic(k, terminated: k == 2, truncated: k == 4) }
        var dataset = buffer.dataset()
        dataset.metadata = DatasetMetadata(envID: "Pendulum-v1", envSettings: ["g": "9.8"], maxEpisodeSteps: 200,
                                           policy: "random", level: .random, seed: 7, steps: dataset.count,
                                           episodes: dataset.episodeReturns)
        let url = directory.appendingPathComponent("dataset.npz")
        try dataset.save(to: url)
        return try [UInt8](Data(contentsOf: url))
    }

    private func validReplayBufferBytes(in directory: URL) throws -> [UInt8] {
        var buffer = ReplayBuffer(capacity: 5, observationSize: 2, actionSize: 1)
        for k in 0..<7 { buffer.addSynthetic(k, terminated: k == 3) }   // wrapped: the oldest were overwritten
        let url = directory.appendingPathComponent("buffer.npz")
        try buffer.save(to: url)
        return try [UInt8](Data(contentsOf: url))
    }
}

/// Seeded mutations of a valid `.npz`: raw byte mutations of the whole file,
/// or structured mutations of one `.npy` entry re-packed with correct CRCs.
struct NPZMutator {
    static let descrs = ["<f4", "<f8", "|b1", "<i8", "<i4", "|i1", "|u1", "<U5", "<U0", "<U99999999999999999999",
                         "<U4611686018427387904", "<U2305843009213693952", ">f4", "<f2", "|O", "<c8", "", "<U-1",
                         "=f4", "float32", "<U"]
    static let shapes = ["()", "(0,)", "(1,)", "(6,)", "(5,)", "(6, 3)", "(5, 2)", "(6, 1)", "(3, 6)", "(7, 3)",
                         "(0, 4611686018427387904, 4611686018427387904)", "(0, 9223372036854775807)",
                         "(4611686018427387904,)", "(9223372036854775807, 2)", "(99999999999999999999,)", "(-1,)",
                         "(6, 0)", "(0, 0)", "(1, 1, 1, 1)", "(8,)", "(2, 3", "(2 3)", "(,)", "(6L, 3L)", "(0, 3)"]

    func mutate(_ valid: [UInt8], using generator: inout SeededGenerator) throws -> [UInt8] {
        if generator.next() % 3 == 0 { return ByteMutator().mutate(valid, using: &generator) }
        let archive = try NPZArchive.decode(valid, file: "valid.npz")
        var entries = archive.keys.map { (name: $0 + ".npy", data: archive[$0]!.npyBytes()) }
        // One to three entries mutated, so lies that agree across arrays (all lengths 0, say) are reached too.
        for _ in 0..<(1 + Int(generator.next() % 3)) {
            if let packed = mutateEntry(of: &entries, using: &generator) { return packed }
        }
        return StoredZipWriter.archive(entries)
    }

    /// Mutates one random entry in place; returns the finished archive when the mutation rebuilt it.
    private func mutateEntry(of entries: inout [(name: String, data: [UInt8])], using generator: inout SeededGenerator) -> [UInt8]? {
        let e = Int(generator.next() % UInt64(entries.count))
        var npy = entries[e].data
        func pick<T>(_ list: [T]) -> T { list[Int(generator.next() % UInt64(list.count))] }
        switch generator.next() % 9 {
        case 0: npy = rewriteHeader(npy, key: "descr", value: "'\(pick(Self.descrs))'")
        case 1:
            let shape = pick(Self.shapes)
            npy = rewriteHeader(npy, key: "shape", value: shape)
            if generator.next() % 2 == 0 { npy = resizingData(npy, toFit: shape) }
        case 2: npy = rewriteHeader(npy, key: "fortran_order", value: pick(["True", "1", "None"]))
        case 3:   // the header length lies
            let length = Int(generator.next() % 0x1_0000)
            if npy.count > 10 { npy[8] = UInt8(length & 0xFF); npy[9] = UInt8(length >> 8) }
        case 4:   // the data is cut short or padded
            if generator.next() % 2 == 0 { npy.removeLast(min(npy.count, 1 + Int(generator.next() % 16))) } else {
                npy += (0..<(1 + generator.next() % 16)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            }
        case 5:   // an int64 or float value replaced (replay bookkeeping, episode ids, metadata text, flags)
            let headerEnd = 10 + (npy.count > 10 ? Int(npy[8]) | Int(npy[9]) << 8 : 0)
            if npy.count >= headerEnd + 8 {
                let at = headerEnd + 8 * Int(generator.next() % UInt64((npy.count - headerEnd) / 8))
                let value: UInt64 = pick([0, 1, 2, UInt64(bitPattern: -1), UInt64(bitPattern: -2), 1 << 62, 1 << 40, 1 << 32,
                                          UInt64(Int64.max), UInt64(bitPattern: Int64.min), 0x7FC0_0000_7FC0_0000,
                                          0x7F80_0000_7F80_0000, generator.next()])
                for b in 0..<8 { npy[at + b] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(b))) }
            }
        case 6:   // an entry dropped or duplicated
            if generator.next() % 2 == 0 { entries.remove(at: e); return StoredZipWriter.archive(entries) }
            entries.append(entries[e])
            return StoredZipWriter.archive(entries)
        case 7:   // the version byte, magic or header text mutated in place
            let headerEnd = min(npy.count, 10 + (npy.count > 10 ? Int(npy[8]) | Int(npy[9]) << 8 : 0))
            var header = Array(npy[0..<headerEnd])
            ByteMutator().mutateOnce(&header, using: &generator)
            npy = header + npy[headerEnd...]
        default:  // the payload's bytes mutated
            npy = ByteMutator().mutate(npy, using: &generator, maxMutations: 2)
        }
        entries[e].data = npy
        return nil
    }

    /// `npy` with its data cut or zero-padded to what `shape` needs (when that is small), so the lie reaches the dataset checks.
    private func resizingData(_ npy: [UInt8], toFit shape: String) -> [UInt8] {
        guard npy.count >= 10 else { return npy }
        let headerEnd = 10 + (Int(npy[8]) | Int(npy[9]) << 8)
        guard headerEnd <= npy.count else { return npy }
        let header = String(decoding: npy[10..<headerEnd], as: UTF8.self)
        let itemSize = header.contains("<f4") ? 4 : header.contains("<i8") ? 8 : header.contains("|b1") ? 1 : 0
        var count = 1
        for dimension in shape.split(whereSeparator: { !$0.isNumber }).compactMap({ Int($0) }) {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return npy }
            count = product
        }
        guard itemSize > 0, count <= 4096 else { return npy }
        let data = Array(npy[headerEnd...])
        let needed = count * itemSize
        return Array(npy[..<headerEnd]) + (data.count >= needed ? Array(data[..<needed]) : data + [UInt8](repeating: 0, count: needed - data.count))
    }

    /// `npy` with the header's `key` set to `value` (header length and padding recomputed as numpy does).
    private func rewriteHeader(_ npy: [UInt8], key: String, value: String) -> [UInt8] {
        guard npy.count >= 10 else { return npy }
        let headerEnd = 10 + (Int(npy[8]) | Int(npy[9]) << 8)
        guard headerEnd <= npy.count else { return npy }
        var text = String(decoding: npy[10..<headerEnd], as: UTF8.self)
        guard let keyRange = text.range(of: "'\(key)': ") else { return npy }
        let rest = text[keyRange.upperBound...]
        // The value runs to the next ", '" (a key) or ", }" (the end of the dictionary).
        let end = rest.range(of: ", '")?.lowerBound ?? rest.range(of: ", }")?.lowerBound ?? rest.endIndex
        text.replaceSubrange(keyRange.upperBound..<end, with: value)
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let unpadded = 10 + text.utf8.count + 1
        text += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = text.utf8.count
        guard length < 0x1_0000 else { return npy }
        return Array(npy[0..<8]) + [UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8) + npy[headerEnd...]
    }
}
