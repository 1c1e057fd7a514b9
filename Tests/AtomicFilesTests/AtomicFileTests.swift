import AtomicFiles
import Foundation
import XCTest

final class AtomicFileTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testWritesAndReplacesWithoutLeavingTemporaryFiles() throws {
        let url = directory.appendingPathComponent("a.json")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write(Data("second, longer".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second, longer")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["a.json"])
    }

    func testFailureNamesThePathAndKeepsNothing() {
        let url = directory.appendingPathComponent("missing/a.json")
        XCTAssertThrowsError(try AtomicFile.write([UInt8](repeating: 1, count: 8), to: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("\(url.path): cannot create a temporary file in \(directory.path)/missing: "), message)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }
}
