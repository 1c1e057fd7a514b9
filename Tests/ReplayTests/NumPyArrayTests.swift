import Foundation
import XCTest
@testable import Replay

final class NumPyArrayTests: XCTestCase {
    private func decode(_ bytes: [UInt8], name: String = "x") throws -> NumPyArray {
        try NumPyArray.decode(bytes, range: 0..<bytes.count, name: name, file: "t.npy")
    }

    func testRoundTripOfEveryStoredKind() throws {
        let arrays = [
            NumPyArray([1.5, -0.0, .nan, .infinity, Float.leastNormalMagnitude / 4, 7], shape: [2, 3]),
            NumPyArray([true, false, true], shape: [3]),
            NumPyArray([Int64.min, -1, 0, Int64.max], shape: [4, 1]),
            NumPyArray([Float](), shape: [0, 5]),
            NumPyArray([Float(3)], shape: []),
        ]
        for a in arrays {
            let bytes = a.npyBytes()
            let headerLength = bytes.count - a.count * (a.dtypeName == "bool" ? 1 : a.dtypeName == "float32" ? 4 : 8)
            XCTAssertEqual(headerLength % 64, 0, "header not aligned to 64 bytes for \(a.shape)")
            let b = try decode(bytes)
            XCTAssertEqual(b.shape, a.shape)
            if case .float32(let x) = a.elements, case .float32(let y) = b.elements {
                XCTAssertEqual(bits(x), bits(y))
            } else {
                XCTAssertEqual(a, b)
            }
        }
    }

    func testHeaderMatchesNumPysFormat() {
        let bytes = NumPyArray([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]).npyBytes()
        let header = String(decoding: bytes[10..<(bytes.count - 24)], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespacesAndNewlines),
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
        XCTAssertEqual(Array(bytes[0..<8]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        XCTAssertEqual(bytes[bytes.count - 25], 0x0A)
        let vector = NumPyArray([1] as [Float], shape: [1]).npyBytes()
        XCTAssertTrue(String(decoding: vector, as: UTF8.self).contains("'shape': (1,)"))
    }

    /// Handwritten headers in the other dtypes NumPy may produce: float64 becomes
    /// float32, int32/uint8 become int64; version 2.0 headers and extra spacing parse.
    func testReadsOtherDTypesAndHeaderVariants() throws {
        func npy(_ header: String, _ payload: [UInt8], version: UInt8 = 1) -> [UInt8] {
            var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
            if version == 1 { out.appendLE16(header.utf8.count) } else { out.appendLE32(header.utf8.count) }
            return out + Array(header.utf8) + payload
        }
        let doubles: [Double] = [0.1, -2.5]
        let f8 = try decode(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n",
                                doubles.withUnsafeBytes { Array($0) }))
        XCTAssertEqual(f8, NumPyArray([Float(0.1), -2.5], shape: [2]))
        let i4 = try decode(npy("{ 'shape' : (3, ) , 'fortran_order':False,'descr':'<i4'}", [1, 0, 0, 0, 255, 255, 255, 255, 7, 0, 0, 0], version: 2))
        XCTAssertEqual(i4, NumPyArray([1, -1, 7] as [Int64], shape: [3]))
        let u1 = try decode(npy("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (2L,)}", [200, 3]))
        XCTAssertEqual(u1.int64Values, [200, 3])
    }

    func testErrorsNameTheArrayAndWhatWasExpected() {
        let good = NumPyArray([Float](repeating: 1, count: 1000), shape: [1000]).npyBytes()
        let dataStart = good.count - 4000
        // Truncated data.
        let cut = Array(good[0..<(dataStart + 2048)])
        XCTAssertEqual(datasetError { try decode(cut, name: "rewards") }?.description,
                       "t.npy: array 'rewards' header says 1000 float32 values, entry ends after 512")
        // Too much data.
        XCTAssertEqual(datasetError { try decode(good + [0, 0, 0, 0], name: "rewards") }?.description,
                       "t.npy: array 'rewards' header says 1000 float32 values (4000 bytes), but the entry holds 4004 bytes of data")
        // Not an npy file.
        XCTAssertEqual(datasetError { try decode(Array("hello, world".utf8)) }?.description,
                       "t.npy: array 'x' is not a .npy array (expected the magic bytes \\x93NUMPY)")
        // Header cut short.
        XCTAssertEqual(datasetError { try decode(Array(good[0..<40])) }?.description,
                       "t.npy: array 'x' header says it is \(dataStart - 10) bytes, entry ends after 30")
        // Unsupported dtype and order.
        func withHeader(_ text: String) -> [UInt8] {
            var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
            out.appendLE16(text.utf8.count)
            return out + Array(text.utf8) + [0, 0, 0, 0]
        }
        XCTAssertEqual(datasetError { try decode(withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }")) }?.description,
                       "t.npy: array 'x' has dtype '>f4'; supported: '<f4', '<f8', '|b1', '<i8', '<i4', '|i1', '|u1', '<U<n>'")
        XCTAssertEqual(datasetError { try decode(withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }")) }?.description,
                       "t.npy: array 'x' is stored in Fortran order; expected fortran_order False (save a C-contiguous array)")
        XCTAssertEqual(datasetError { try decode(withHeader("{'descr': '<f4', 'shape': (1,), }")) }?.description,
                       "t.npy: array 'x' has a malformed .npy header (expected a boolean 'fortran_order'): {'descr': '<f4', 'shape': (1,), }")
        XCTAssertEqual(datasetError { try decode(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,}")) }?.kind, .corrupt)
    }

    func testEveryTruncationIsAnErrorNotATrap() {
        let good = NumPyArray([1, 2, 3] as [Int64], shape: [3]).npyBytes()
        for n in 0..<good.count {
            XCTAssertNotNil(datasetError { try decode(Array(good[0..<n])) }, "prefix of \(n) bytes")
        }
    }

    func testStandaloneFileRoundTrip() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("a.npy")
        let a = NumPyArray([true, false], shape: [1, 2])
        try a.write(to: url)
        XCTAssertEqual(try NumPyArray.read(from: url), a)
        let missing = directory.appendingPathComponent("missing.npy")
        XCTAssertEqual(datasetError { try NumPyArray.read(from: missing) }?.description, "\(missing.path): file does not exist")
    }
}
