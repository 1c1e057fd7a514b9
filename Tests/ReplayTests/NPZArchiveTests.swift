import Foundation
import XCTest
@testable import Replay

final class NPZArchiveTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try FileManager.default.removeItem(at: directory) }

    private func sampleArchive() -> NPZArchive {
        NPZArchive([
            ("a", NumPyArray([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])),
            ("flags", NumPyArray([true, false, true], shape: [3])),
            ("ids", NumPyArray([7, 8] as [Int64], shape: [2])),
        ])
    }

    func testRoundTripKeepsOrderAndValues() throws {
        let url = directory.appendingPathComponent("x.npz")
        let archive = sampleArchive()
        try archive.write(to: url)
        let read = try NPZArchive.read(from: url)
        XCTAssertEqual(read.keys, ["a", "flags", "ids"])
        for key in archive.keys { XCTAssertEqual(read[key], archive[key], key) }
        XCTAssertEqual(read.file, url.path)
        // Deterministic bytes: same arrays, same file.
        XCTAssertEqual(try archive.encoded(), try read.encoded())
    }

    func testTruncatedFileNamesTheArrayAndHowMuchSurvived() throws {
        let url = directory.appendingPathComponent("dataset.npz")
        let rewards = NumPyArray([Float](repeating: 0.5, count: 1000), shape: [1000])
        let archive = NPZArchive([("observations", NumPyArray([Float](repeating: 1, count: 20), shape: [10, 2])),
                                  ("rewards", rewards)])
        let bytes = try archive.encoded()
        // Cut the file 512 values into the rewards data.
        let rewardsEntry = NPZArchive.localEntries(bytes)[1]
        let headerBytes = rewards.npyBytes().count - 4000
        try Data(bytes[0..<(rewardsEntry.dataStart + headerBytes + 2048 + 3)]).write(to: url)
        XCTAssertEqual(datasetError { try NPZArchive.read(from: url) }?.description,
                       "\(url.path): array 'rewards' header says 1000 float32 values, file ends after 512")
        // Cut inside the central directory: every array is whole, the index is gone.
        let centralStart = rewardsEntry.dataStart + rewardsEntry.compressedSize
        try Data(bytes[0..<(centralStart + 10)]).write(to: url)
        XCTAssertEqual(datasetError { try NPZArchive.read(from: url) }?.description,
                       "\(url.path): file ends after array 'rewards'; the ZIP central directory is missing (the file is truncated)")
        // Cut inside a local header.
        try Data(bytes[0..<(rewardsEntry.dataStart - 5)]).write(to: url)
        XCTAssertEqual(datasetError { try NPZArchive.read(from: url) }?.kind, .truncated)
    }

    /// Every prefix and every single-byte corruption of a small archive either
    /// reads or throws a `DatasetError` (never traps); corrupted data bytes are caught by the CRC.
    func testEveryTruncationAndByteFlipIsHandled() throws {
        let bytes = try sampleArchive().encoded(file: "x.npz")
        for n in 0..<bytes.count {
            XCTAssertNotNil(datasetError { try NPZArchive.decode(Array(bytes[0..<n]), file: "x.npz") }, "prefix \(n)")
        }
        let entries = NPZArchive.localEntries(bytes)
        let dataBytes = Set(entries.flatMap { $0.dataStart..<($0.dataStart + $0.compressedSize) })
        for i in 0..<bytes.count {
            var corrupt = bytes
            corrupt[i] ^= 0x5A
            do {
                _ = try NPZArchive.decode(corrupt, file: "x.npz")
                XCTAssertFalse(dataBytes.contains(i), "corrupt data byte \(i) went unnoticed")
            } catch is DatasetError {
            } catch {
                XCTFail("byte \(i): \(error)")
            }
        }
        var corrupt = bytes
        corrupt[entries[0].dataStart + 130] ^= 1
        XCTAssertEqual(datasetError { try NPZArchive.decode(corrupt, file: "x.npz") }?.message.prefix(40),
                       "entry 'a.npy' fails its CRC-32 check (he")
    }

    func testNotAZipFileAndMissingFile() throws {
        let url = directory.appendingPathComponent("junk.npz")
        try Data("definitely not a zip".utf8).write(to: url)
        XCTAssertEqual(datasetError { try NPZArchive.read(from: url) }?.description,
                       "\(url.path): is not a ZIP archive (.npz); expected the signature PK\\x03\\x04 at offset 0")
        let missing = directory.appendingPathComponent("nope.npz")
        XCTAssertEqual(datasetError { try NPZArchive.read(from: missing) }?.description, "\(missing.path): file does not exist")
    }

    func testADirectoryIsNotADataset() {
        XCTAssertEqual(datasetError { try NPZArchive.read(from: directory) }?.description, "\(directory.path): is not a regular file")
    }

    func testMissingKeyListsThePresentOnes() throws {
        XCTAssertEqual(datasetError { try sampleArchive().array("b") }?.message,
                       "missing array 'b' (arrays present: 'a', 'flags', 'ids')")
    }

    func testWritingIntoAMissingDirectoryIsAnIOError() {
        let url = directory.appendingPathComponent("no/such/dir/x.npz")
        let error = datasetError { try sampleArchive().write(to: url) }
        XCTAssertEqual(error?.kind, .io)
        XCTAssertTrue(error?.message.hasPrefix("cannot create a temporary file in \(directory.path)/no/such/dir") ?? false,
                      error?.message ?? "")
    }
}

/// Deflate-compressed entries (ZIPFoundation's inflate through zlib), from a
/// file `numpy.savez_compressed` wrote, checked without NumPy installed.
final class CompressedNPZTests: XCTestCase {
    /// `np.savez_compressed(f, x=np.arange(600, dtype=np.float32).reshape(200, 3) % 7, flags=np.arange(50) % 3 == 0)`
    private let savezCompressed = "UEsDBC0AAAAIAAAAIQCsp2Si//////////8FABQAeC5ucHkBABAA4AkAAAAAAABuAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkYGBjoKxpo6CrUKZAIuBjBosAcSDkAExA1AvACIDziMyo3KjcqNyo3KjcqNyo3KjcqRLgcAUEsDBC0AAAAIAAAAIQATf9mD//////////8JABQAZmxhZ3MubnB5AQAQALIAAAAAAAAASgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBek2SorqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RqmBjqaOgq1CuQDLkYGBhIRAFBLAQItAy0AAAAIAAAAIQCsp2SibgAAAOAJAAAFAAAAAAAAAAAAAACAAQAAAAB4Lm5weVBLAQItAy0AAAAIAAAAIQATf9mDSgAAALIAAAAJAAAAAAAAAAAAAACAAaUAAABmbGFncy5ucHlQSwUGAAAAAAIAAgBqAAAAKgEAAAAA"

    func testReadsSavezCompressed() throws {
        let bytes = [UInt8](Data(base64Encoded: savezCompressed)!)
        let archive = try NPZArchive.decode(bytes, file: "c.npz")
        XCTAssertEqual(archive.keys, ["x", "flags"])
        XCTAssertEqual(archive["x"], NumPyArray((0..<600).map { Float($0 % 7) }, shape: [200, 3]))
        XCTAssertEqual(archive["flags"], NumPyArray((0..<50).map { $0 % 3 == 0 }, shape: [50]))
    }

    /// A flipped bit inside the deflate stream is an error naming the entry, never a trap.
    func testCorruptDeflateDataIsAnErrorNamingTheEntry() throws {
        let bytes = [UInt8](Data(base64Encoded: savezCompressed)!)
        let first = NPZArchive.localEntries(bytes)[0]
        for offset in [0, 10, 50, first.compressedSize - 3] {
            var corrupt = bytes
            corrupt[first.dataStart + offset] ^= 0x10
            let error = datasetError { try NPZArchive.decode(corrupt, file: "c.npz") }
            XCTAssertEqual(error?.kind, .corrupt, "offset \(offset)")
            XCTAssertTrue(error?.message.hasPrefix("entry 'x.npy' ") ?? false, error?.message ?? "")
        }
    }
}
