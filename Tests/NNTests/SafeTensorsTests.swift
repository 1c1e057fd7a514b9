import Foundation
import XCTest
@testable import NN

/// The safetensors checkpoint format: layout per the spec, round trips,
/// validation errors, and a cross-check with an independent Python reader.
final class SafeTensorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A file assembled by hand: length, header (padded to 8 with spaces when asked), raw float data.
    private func handMade(header: String, values: [Float], pad: Bool = true) -> Data {
        var headerBytes = Data(header.utf8)
        if pad { headerBytes.append(contentsOf: repeatElement(0x20, count: (8 - headerBytes.count % 8) % 8)) }
        var data = Data()
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(headerBytes)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    private func parseError(_ data: Data, label: String = "x.safetensors",
                            file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try SafeTensorsFile(data: data, label: label)
            XCTFail("expected an error", file: file, line: line)
        } catch {
            return String(describing: error)
        }
        return ""
    }

    private let sample = SafeTensorsFile(
        tensors: ["b": CheckpointArray(shape: [2], values: [1, 2]),
                  "a": CheckpointArray(shape: [1, 2], values: [-0.5, 3.25])],
        metadata: ["format": "pt"])

    // MARK: - Layout

    func testHeaderFollowsTheSpec() throws {
        let data = try sample.encoded()
        let length = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        XCTAssertEqual(length % 8, 0, "header padded to a multiple of 8")
        XCTAssertEqual(data.count, 8 + length + 16)
        let header = String(decoding: data[8 ..< 8 + length], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces),
                       #"{"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"#
                       + #""b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"__metadata__":{"format":"pt"}}"#)
        let body = header.trimmingCharacters(in: .whitespaces)
        XCTAssertEqual(header, body + String(repeating: " ", count: header.count - body.count), "padding is trailing spaces")
        XCTAssertLessThan(header.count - body.count, 8)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data[8 ..< 8 + length]) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["a", "b", "__metadata__"])
        // Data section: a's values then b's, little-endian float32.
        let floats = (0..<4).map { i in
            Float(bitPattern: data[8 + length + 4 * i ..< 8 + length + 4 * i + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        XCTAssertEqual(floats, [-0.5, 3.25, 1, 2])
    }

    func testEncodingIsDeterministic() throws {
        var copy = SafeTensorsFile(metadata: sample.metadata)
        for name in sample.tensors.keys.reversed() { copy.tensors[name] = sample.tensors[name] }
        XCTAssertEqual(try copy.encoded(), try sample.encoded())
    }

    func testReadsAHandMadeFile() throws {
        // Metadata first, names not in offset order, unpadded header: all valid per the spec.
        let header = #"{"__metadata__":{"step":"7"},"z":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"#
            + #""a":{"data_offsets":[4,16],"shape":[3],"dtype":"F32"},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[16,16]}}"#
        let file = try SafeTensorsFile(data: handMade(header: header, values: [42, 1, 2, 3], pad: false))
        XCTAssertEqual(file.metadata, ["step": "7"])
        XCTAssertEqual(file.tensors["z"], CheckpointArray(shape: [], values: [42]))
        XCTAssertEqual(file.tensors["a"], CheckpointArray(shape: [3], values: [1, 2, 3]))
        XCTAssertEqual(file.tensors["e"], CheckpointArray(shape: [0, 3], values: []))
    }

    // MARK: - Round trip

    func testRoundTripThroughAFile() throws {
        var generator = SystemRandomNumberGenerator()
        let big = (0..<(5 * 6 * 200)).map { _ in Float.random(in: -3...3, using: &generator) }
        let original = SafeTensorsFile(
            tensors: ["hidden.0.weight": CheckpointArray(shape: [5, 6, 200], values: big),
                      "hidden.0.bias": CheckpointArray(shape: [5, 1, 200], values: Array(big.prefix(1000))),
                      "scalar": CheckpointArray(shape: [], values: [.infinity]),
                      "empty": CheckpointArray(shape: [0], values: []),
                      "special": CheckpointArray(shape: [4], values: [-0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity]),
                      "name with \"quotes\" \\ and ünïcode\n": CheckpointArray(shape: [1], values: [1])],
            metadata: ["config": "model:\n  members: 5\n", "quote": "\"\\\u{1}"])
        let url = directory.appendingPathComponent("model.safetensors")
        try original.write(to: url)
        let read = try SafeTensorsFile.read(from: url)
        XCTAssertEqual(read, original)
        XCTAssertEqual(read.tensors["special"]!.values.map(\.bitPattern), original.tensors["special"]!.values.map(\.bitPattern))
        let loaded = try SafeTensorsFile.load(from: url, expecting: original.tensors.mapValues(\.shape))
        XCTAssertEqual(loaded, original.tensors)
    }

    func testNaNSurvivesBitExactly() throws {
        let nan = Float(bitPattern: 0x7FC0_1234)
        let data = try SafeTensorsFile(tensors: ["n": CheckpointArray(shape: [1], values: [nan])]).encoded()
        XCTAssertEqual(try SafeTensorsFile(data: data).tensors["n"]!.values[0].bitPattern, 0x7FC0_1234)
    }

    func testAtomicWriteReplacesAndLeavesNoTemporaryFiles() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try sample.write(to: url)
        var changed = sample
        changed.tensors["b"] = CheckpointArray(shape: [2], values: [9, 9])
        try changed.write(to: url)
        XCTAssertEqual(try SafeTensorsFile.read(from: url), changed)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])

        let missingDirectory = directory.appendingPathComponent("no/such/dir/model.safetensors")
        XCTAssertThrowsError(try sample.write(to: missingDirectory)) { error in
            guard case .io? = (error as? SafeTensorsError)?.kind else { return XCTFail("\(error)") }
        }
    }

    func testWriterRejectsValuesNotMatchingShape() {
        let bad = SafeTensorsFile(tensors: ["w": CheckpointArray(shape: [2, 3], values: [1, 2])])
        XCTAssertThrowsError(try bad.encoded(label: "m.safetensors")) { error in
            XCTAssertEqual(String(describing: error), "m.safetensors: cannot write tensor 'w': shape [2, 3] does not hold 2 values")
        }
        let reserved = SafeTensorsFile(tensors: ["__metadata__": CheckpointArray(shape: [], values: [1])])
        XCTAssertThrowsError(try reserved.encoded())
    }

    // MARK: - Errors

    func testTruncatedFiles() throws {
        let data = try sample.encoded()
        XCTAssertEqual(parseError(data.prefix(data.count - 4)),
                       "x.safetensors: truncated: tensor 'b' ends at byte 16 of the data but the file holds only 12 bytes of data")
        XCTAssertEqual(parseError(data.prefix(5)),
                       "x.safetensors: truncated: the file has 5 bytes, fewer than the 8-byte header length")
        XCTAssertTrue(parseError(data.prefix(20)).hasPrefix("x.safetensors: truncated: the header is "))
        XCTAssertEqual(parseError(Data()), "x.safetensors: truncated: the file has 0 bytes, fewer than the 8-byte header length")
    }

    func testLoadExpectingNamesMissingUnexpectedAndWrongShapes() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try SafeTensorsFile(tensors: [
            "hidden.0.weight": CheckpointArray(shape: [5, 6, 200], values: [Float](repeating: 0, count: 6000)),
            "hidden.0.bias": CheckpointArray(shape: [5, 200], values: [Float](repeating: 0, count: 1000)),
        ]).write(to: url)
        func loadError(_ expected: [String: [Int]]) -> String {
            do {
                _ = try SafeTensorsFile.load(from: url, expecting: expected)
                XCTFail("expected an error")
            } catch {
                return String(describing: error)
            }
            return ""
        }
        XCTAssertEqual(loadError(["hidden.0.weight": [5, 6, 100], "hidden.0.bias": [5, 200]]),
                       "model.safetensors: tensor 'hidden.0.weight' has shape [5, 6, 200], expected [5, 6, 100]")
        XCTAssertEqual(loadError(["hidden.0.weight": [5, 6, 200], "hidden.0.bias": [5, 200], "head.weight": [5, 200, 12]]),
                       "model.safetensors: missing tensor 'head.weight'")
        XCTAssertEqual(loadError(["hidden.0.weight": [5, 6, 200]]),
                       "model.safetensors: unexpected tensor 'hidden.0.bias' (not in the model)")
        XCTAssertEqual(String(describing: SafeTensorsError(.missingTensors(["a", "b"]), file: "m")), "m: missing tensors 'a', 'b'")
        XCTAssertThrowsError(try SafeTensorsFile.load(from: directory.appendingPathComponent("none.safetensors"), expecting: [:])) {
            XCTAssertEqual(($0 as? SafeTensorsError)?.kind, .fileNotFound)
        }
    }

    func testUnsupportedDTypeNamesTensorAndDType() {
        let header = #"{"head.bias":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        XCTAssertEqual(parseError(handMade(header: header, values: [0])),
                       "x.safetensors: tensor 'head.bias' has dtype F16; only F32 is supported")
    }

    func testInvalidHeadersAndOffsets() {
        func entry(_ name: String, _ shape: String, _ begin: Int, _ end: Int) -> String {
            #""\#(name)":{"dtype":"F32","shape":\#(shape),"data_offsets":[\#(begin),\#(end)]}"#
        }
        XCTAssertEqual(parseError(handMade(header: "{" + entry("a", "[2]", 0, 4) + "}", values: [1])),
                       "x.safetensors: tensor 'a' has invalid data_offsets: [0, 4] spans 4 bytes but shape [2] needs 8 (4 bytes per F32)")
        XCTAssertEqual(parseError(handMade(header: "{" + entry("a", "[2]", 0, 8) + "," + entry("b", "[2]", 4, 12) + "}",
                                           values: [1, 2, 3])),
                       "x.safetensors: tensor 'b' has invalid data_offsets: [4, 12] overlaps tensor 'a' at [0, 8]")
        XCTAssertEqual(parseError(handMade(header: "{" + entry("a", "[1]", 4, 8) + "}", values: [1, 2])),
                       "x.safetensors: tensor 'a' has invalid data_offsets: [4, 8] leaves a gap of 4 bytes before it (tensors must be contiguous)")
        XCTAssertEqual(parseError(handMade(header: "{" + entry("a", "[1]", 0, 4) + "}", values: [1, 2])),
                       "x.safetensors: invalid safetensors header: 4 bytes of data after the last tensor")
        XCTAssertEqual(parseError(handMade(header: "{" + entry("a", "[1]", 8, 4) + "}", values: [1])),
                       "x.safetensors: tensor 'a' has invalid data_offsets: [8, 4] is not a range")
        XCTAssertEqual(parseError(handMade(header: "{" + entry("a", "[-1]", 0, 4) + "}", values: [1])),
                       "x.safetensors: invalid safetensors header: tensor 'a' has no valid 'shape' (a list of non-negative integers)")
        XCTAssertTrue(parseError(handMade(header: #"{"a": {"dtype": "F32""#, values: []))
            .hasPrefix("x.safetensors: invalid safetensors header: not valid JSON ("))
        XCTAssertEqual(parseError(handMade(header: "[1, 2]", values: [])),
                       "x.safetensors: invalid safetensors header: the JSON header must start with '{'")
        XCTAssertEqual(parseError(handMade(header: #"{"__metadata__":{"step":7}}"#, values: [])),
                       "x.safetensors: invalid safetensors header: __metadata__ value for 'step' is not a string")
        var huge = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        XCTAssertEqual(parseError(huge),
                       "x.safetensors: invalid safetensors header: header length 18446744073709551615 exceeds the limit of 100000000 bytes")
    }

    // MARK: - Independent reader

    /// Parses our file with Python's json + numpy.frombuffer, as the spec describes.
    func testPythonNumpyReadsOurFile() throws {
        let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let candidates = (searchPath + ["/usr/local/bin", "/usr/bin"]).map { $0 + "/python3" }
            .filter(FileManager.default.isExecutableFile)
        guard let python = try candidates.first(where: { try run($0, ["-c", "import numpy"]).status == 0 }) else {
            throw XCTSkip("python3 with numpy is not available; skipping the cross-check with an independent reader")
        }
        let values = (0..<24).map { Float($0) * 0.5 - 3 }
        let url = directory.appendingPathComponent("cross.safetensors")
        try SafeTensorsFile(tensors: ["w": CheckpointArray(shape: [2, 3, 4], values: values),
                                      "b": CheckpointArray(shape: [3], values: [1e-8, -2.5, 7])],
                            metadata: ["note": "from swift"]).write(to: url)
        let script = """
            import json, struct, sys
            import numpy as np
            raw = open(sys.argv[1], 'rb').read()
            (n,) = struct.unpack('<Q', raw[:8])
            assert n % 8 == 0, n
            header = json.loads(raw[8:8 + n])
            data = raw[8 + n:]
            assert header.pop('__metadata__') == {'note': 'from swift'}
            assert sorted(header) == ['b', 'w'], header
            end = 0
            for name in sorted(header):
                entry = header[name]
                assert entry['dtype'] == 'F32'
                begin, stop = entry['data_offsets']
                assert begin == end, (name, begin, end)
                end = stop
            assert end == len(data), (end, len(data))
            def array(name):
                entry = header[name]
                begin, stop = entry['data_offsets']
                return np.frombuffer(data[begin:stop], dtype='<f4').reshape(entry['shape'])
            w = array('w')
            assert w.shape == (2, 3, 4), w.shape
            assert np.array_equal(w, (np.arange(24, dtype=np.float32) * 0.5 - 3).reshape(2, 3, 4))
            assert w[1, 2, 3] == 8.5
            assert np.array_equal(array('b'), np.array([1e-8, -2.5, 7], dtype=np.float32))
            print('ok')
            """
        let result = try run(python, ["-c", script, url.path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Found by fuzzing: errors from a learner's `load(checkpoint:)` named only the learner
    /// ("SAC checkpoint: missing tensor ..."), not the file a resumed run was reading.
    func testReadIntoNamesTheFileInTheLoadersErrors() throws {
        let url = directory.appendingPathComponent("sac.safetensors")
        try SafeTensorsFile(tensors: ["w": CheckpointArray(shape: [1], values: [1])]).write(to: url)
        XCTAssertThrowsError(try SafeTensorsFile.read(from: url) { _ in
            throw SafeTensorsError(.missingTensors(["qf3.layers.0.weight"]), file: "SAC checkpoint")
        }) {
            XCTAssertEqual("\($0)", "sac.safetensors (SAC checkpoint): missing tensor 'qf3.layers.0.weight'")
        }
    }

    /// Found by fuzzing: a header that is not JSON said only "The data is not in the correct format".
    func testInvalidJSONHeaderSaysWhere() {
        let message = parseError(handMade(header: "{\"w\": {\"dtype\" \"F32\"}}", values: []))
        XCTAssertTrue(message.hasPrefix("x.safetensors: invalid safetensors header: not valid JSON ("), message)
        XCTAssertTrue(message.contains("around"), message)   // "Invalid value around character 15." on Linux
    }

}
