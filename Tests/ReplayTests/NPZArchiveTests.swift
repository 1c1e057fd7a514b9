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
        let rewardsEntry = ZipArchive.localEntries(bytes)[1]
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
        let entries = ZipArchive.localEntries(bytes)
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

final class InflateTests: XCTestCase {
    private let text = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 20).utf8) + (0..<256).map { UInt8($0) }

    private func inflate(_ base64: String, expected: Int) throws -> [UInt8] {
        let input = [UInt8](Data(base64Encoded: base64)!)
        return try Inflate.decompress(input, range: 0..<input.count, expectedSize: expected)
    }

    /// Streams made by zlib (`compressobj(level, DEFLATED, -15)`): fixed Huffman,
    /// dynamic Huffman and stored blocks.
    func testDecodesZlibStreams() throws {
        let fixed = "C8lIVSgszUzOVkgqyi/PU0jLr1DIKs0tKFbIL0stUigBSuckVlUqpOSn6ymEjCoeVTyqmNqKGRiZmFlY2dg5OLm4eXj5+AUEhYRFRMXEJSSlpGVk5eQVFJWUVVTV1DU0tbR1dPX0DQyNjE1MzcwtLK2sbWzt7B0cnZxdXN3cPTy9vH18/fwDAoOCQ0LDwiMio6JjYuPiExKTklNS09IzMrOyc3Lz8gsKi4pLSsvKKyqrqmtq6+obGpuaW1rb2js6u7p7evv6J0ycNHnK1GnTZ8ycNXvO3HnzFyxctHjJ0mXLV6xctXrN2nXrN2zctHnL1m3bd+zctXvP3n37Dxw8dPjI0WPHT5w8dfrM2XPnL1y8dPnK1WvXb9y8dfvO3Xv3Hzx89PjJ02fPX7x89frN23fvP3z89PnL12/ff/z89fvP33//AQ=="
        XCTAssertEqual(try inflate(fixed, expected: text.count), text)
        let stored = [UInt8]([1, 0x84, 0x04, 0x7B, 0xFB]) + text   // one final stored block of 1156 bytes
        XCTAssertEqual(try Inflate.decompress(stored, range: 0..<stored.count, expectedSize: 0), text)
        let dynamic = "TVGBAcMwCHrF10T+v2GAZlvWNsYRBexGdRf01nS334aSM0MFyjcGo8dpZxCwImH1hy85ZewL9dF13fCT06KpuNzAkatpzTa8emj6SByP5A03h7AzTf41NEPHs7wv7a1CeaIua5U6F1J4gkGXRsGaO0xmVdD5XDxsHMGvhxZVzPbkV8uxoiKtsHYeOwHYBvEK4G3rPGyS95l6CozG17MoMGd/VJ0rz30iqBIwcz2L5s3Viqy9MgXrCo0MmmdahvLUrXnRXrUnUsVpFHd22CLbQnQc8gM="
        let out = try inflate(dynamic, expected: 600)
        XCTAssertEqual(out.count, 600)
        XCTAssertEqual(CRC32.checksum(out), 3_725_634_872)   // zlib.crc32 of the original
        XCTAssertEqual(out.filter { $0 == UInt8(ascii: "a") }.count, 296)
        XCTAssertEqual(Array(out[0..<10]), Array("aab aa baa".utf8))
    }

    func testTruncatedAndMalformedStreamsThrow() throws {
        let input = [UInt8](Data(base64Encoded: "C8lIVSgszUzOVkgqyi/PU0jLr1DIKs0tKFbIL0stUigBSuckVlUqpOSn6ymEjCoeVTyqmNqKGRiZmFlY2dg5OLm4eXj5+AUEhYRFRMXEJSSlpGVk5eQVFJWUVVTV1DU0tbR1dPX0DQyNjE1MzcwtLK2sbWzt7B0cnZxdXN3cPTy9vH18/fwDAoOCQ0LDwiMio6JjYuPiExKTklNS09IzMrOyc3Lz8gsKi4pLSsvKKyqrqmtq6+obGpuaW1rb2js6u7p7evv6J0ycNHnK1GnTZ8ycNXvO3HnzFyxctHjJ0mXLV6xctXrN2nXrN2zctHnL1m3bd+zctXvP3n37Dxw8dPjI0WPHT5w8dfrM2XPnL1y8dPnK1WvXb9y8dfvO3Xv3Hzx89PjJ02fPX7x89frN23fvP3z89PnL12/ff/z89fvP33//AQ==")!)
        for n in 0..<input.count {
            XCTAssertThrowsError(try Inflate.decompress(input, range: 0..<n, expectedSize: 0), "prefix \(n)")
        }
        XCTAssertThrowsError(try Inflate.decompress([0x07], range: 0..<1, expectedSize: 0))   // block type 3
        XCTAssertThrowsError(try Inflate.decompress([1, 5, 0, 0, 0], range: 0..<5, expectedSize: 0))   // LEN/NLEN mismatch
    }

    func testCRC32MatchesTheStandardCheckValueAndZlib() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        let bytes = (0..<1024).map { UInt8($0 % 256) }
        XCTAssertEqual(CRC32.checksum(bytes), 3_070_970_918)                          // zlib.crc32, 8-byte steps only
        XCTAssertEqual(CRC32.checksum(bytes + Array("abc".utf8)), 3_271_205_542)      // plus a 3-byte tail
        XCTAssertEqual(CRC32.checksum([9, 9] + bytes + [7], range: 2..<1026), 3_070_970_918)
    }
}
