import Foundation
import XCTest
@testable import Replay

/// Cross-checks with NumPy itself: files we write are read by `numpy.load`,
/// and files from `numpy.savez` / `numpy.savez_compressed` are read by us,
/// compared bit for bit. Runs `python3` through `Process`; skipped (XCTSkip)
/// when python3 with numpy is not installed.
final class NumPyInteropTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        try requireNumPy()
        directory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        if let directory { try FileManager.default.removeItem(at: directory) }
    }

    private struct PythonFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `python3 -c script args...` and returns its standard output.
    private func python(_ script: String, _ arguments: [String] = []) throws -> String {
        try Self.python(script, arguments)
    }

    private static func python(_ script: String, _ arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonFailure(description: "python3 exited with \(process.terminationStatus): "
                                + String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Why NumPy cannot be used (`nil` if it can); checked once per test run.
    private static let numPyUnavailable: String? = {
        do {
            _ = try python("import numpy")
            return nil
        } catch {
            return "\(error)"
        }
    }()

    private func requireNumPy() throws {
        if let reason = Self.numPyUnavailable {
            throw XCTSkip("python3 with numpy is not available (\(reason)); skipping the NumPy interoperability tests")
        }
    }

    /// The little-endian bytes of an array's elements, as hex (NumPy's `tobytes().hex()`).
    private func hex(_ a: NumPyArray) -> String {
        let bytes = a.npyBytes()
        let itemSize = a.dtypeName == "bool" ? 1 : a.dtypeName == "float32" ? 4 : 8
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(2 * a.count * itemSize)
        for byte in bytes[(bytes.count - a.count * itemSize)...] {
            out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `{key: {"dtype", "shape", "hex"}}` printed by Python for an npz file.
    private func describe(_ url: URL, convertToOurTypes: Bool) throws -> [String: (dtype: String, shape: [Int], hex: String)] {
        let script = """
        import sys, json, numpy as np
        convert = sys.argv[2] == '1'
        out = {}
        with np.load(sys.argv[1]) as f:
            for k in f.files:
                a = f[k]
                if convert:
                    if a.dtype == np.float64: a = a.astype(np.float32)
                    elif a.dtype in (np.int32, np.uint8, np.int8): a = a.astype(np.int64)
                out[k] = {'dtype': a.dtype.str, 'shape': list(a.shape), 'hex': np.ascontiguousarray(a).tobytes().hex()}
        print(json.dumps(out))
        """
        let json = try python(script, [url.path, convertToOurTypes ? "1" : "0"])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: [String: Any]]
        return object.mapValues { ($0["dtype"] as! String, $0["shape"] as! [Int], $0["hex"] as! String) }
    }

    func testNumPyReadsOurFilesBitForBit() throws {
        let url = directory.appendingPathComponent("ours.npz")
        let archive = NPZArchive([
            ("observations", NumPyArray([1.5, -0.0, .nan, .infinity, -.infinity, Float.leastNormalMagnitude / 4], shape: [3, 2])),
            ("terminals", NumPyArray([true, false, false], shape: [3])),
            ("ids", NumPyArray([Int64.min, 0, Int64.max], shape: [3])),
            ("scalar", NumPyArray([Float(2.5)], shape: [])),
            ("empty", NumPyArray([Float](), shape: [0, 4])),
        ])
        try archive.write(to: url)
        let seen = try describe(url, convertToOurTypes: false)
        XCTAssertEqual(Set(seen.keys), Set(archive.keys))
        let expectedDType = ["float32": "<f4", "bool": "|b1", "int64": "<i8"]
        for key in archive.keys {
            let a = archive[key]!
            XCTAssertEqual(seen[key]?.dtype, expectedDType[a.dtypeName], key)
            XCTAssertEqual(seen[key]?.shape, a.shape, key)
            XCTAssertEqual(seen[key]?.hex, hex(a), key)
        }
    }

    func testNumPyReadsASavedReplayBuffer() throws {
        let url = directory.appendingPathComponent("buffer.npz")
        var buffer = ReplayBuffer(capacity: 6, observationSize: 2, actionSize: 1)
        for k in 0..<9 { buffer.addSynthetic(k, terminated: k == 3) }
        try buffer.save(to: url)
        let output = try python("""
        import sys, numpy as np
        f = np.load(sys.argv[1])
        print(sorted(f.files))
        print(f['replay_state'].tolist(), f['episode_ids'].tolist(), f['observations'][:, 0].tolist())
        """, [url.path])
        XCTAssertEqual(output, """
        ['actions', 'episode_ids', 'next_observations', 'observations', 'replay_state', 'rewards', 'terminals', 'timeouts']
        [1, 6, 2, 1, 9, 2, 1, 0] [0, 1, 1, 1, 1, 1] [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]

        """)
    }

    /// `numpy.savez` (stored, ZIP64 local headers) and `numpy.savez_compressed`
    /// (deflate) files, with the dtypes D4RL uses, read and compared bit for bit.
    func testWeReadNumPySavezAndSavezCompressed() throws {
        let script = """
        import sys, numpy as np
        rng = np.random.default_rng(0)
        n = 3000
        arrays = dict(
            observations=rng.standard_normal((n, 17)).astype(np.float32),
            actions=rng.uniform(-1, 1, (n, 6)).astype(np.float32),
            rewards=rng.standard_normal(n),                    # float64, as in some D4RL files
            next_observations=np.arange(n * 17, dtype=np.float32).reshape(n, 17) / 8,
            terminals=(np.arange(n) % 250 == 249),
            timeouts=(np.arange(n) % 1000 == 999),
            ids=np.arange(n, dtype=np.int64) - 5,
            small=np.array([[1, 2, 3]], dtype=np.int32),
            pixels=(np.arange(64, dtype=np.uint8).reshape(8, 8)),
        )
        np.savez(sys.argv[1], **arrays)
        np.savez_compressed(sys.argv[2], **arrays)
        """
        let stored = directory.appendingPathComponent("stored.npz")
        let compressed = directory.appendingPathComponent("compressed.npz")
        _ = try python(script, [stored.path, compressed.path])
        let expected = try describe(stored, convertToOurTypes: true)
        for url in [stored, compressed] {
            let archive = try NPZArchive.read(from: url)
            XCTAssertEqual(Set(archive.keys), Set(expected.keys), url.lastPathComponent)
            for (key, e) in expected {
                let a = try archive.array(key)
                XCTAssertEqual(a.shape, e.shape, "\(url.lastPathComponent) \(key)")
                XCTAssertEqual(hex(a), e.hex, "\(url.lastPathComponent) \(key)")
            }
            // And as a D4RL dataset into a replay buffer: 3000 steps, episodes split at 249, 499, ...
            let dataset = try OfflineDataset.load(from: url)
            XCTAssertEqual(dataset.count, 3000)
            let buffer = ReplayBuffer(dataset: dataset)
            XCTAssertEqual(buffer.episodeRanges.count, 12)
            XCTAssertEqual(Set(buffer.episodeRanges.map(\.length)), [250])
        }
        let compressedSize = try FileManager.default.attributesOfItem(atPath: compressed.path)[.size] as! Int
        let storedSize = try FileManager.default.attributesOfItem(atPath: stored.path)[.size] as! Int
        XCTAssertLessThan(compressedSize, storedSize, "savez_compressed should have produced deflated entries")
    }

    /// A dataset file with metadata, as D4RL users read it: `numpy.load` without
    /// pickle gives the six D4RL arrays with their dtypes and shapes, and the
    /// metadata JSON from `str(f['metadata'])`.
    func testNumPyReadsADatasetWithMetadata() throws {
        let url = directory.appendingPathComponent("dataset.npz")
        let n = 5
        var dataset = OfflineDataset(observationSize: 3, actionSize: 2, observations: (0..<15).map { Float($0) },
                                     actions: (0..<10).map { Float($0) / 4 }, rewards: [1, 2, 3, 4, 5],
                                     nextObservations: (0..<15).map { Float($0 + 3) }, terminals: [false, true, false, false, false],
                                     timeouts: [false, false, false, true, false])
        dataset.metadata = DatasetMetadata(envID: "Pendulum-v1", policy: "random: uniform — ünïcode", level: .mediumReplay,
                                           seed: 3, steps: n, episodes: dataset.episodeReturns)
        try dataset.save(to: url)
        let output = try python("""
        import sys, json, numpy as np
        with np.load(sys.argv[1], allow_pickle=False) as f:
            for k in f.files:
                print(k, f[k].dtype.str, f[k].shape)
            m = json.loads(str(f['metadata']))
            print(m['env_id'], m['level'], m['policy'], m['episodes']['count'], m['episodes']['mean'], m['steps'])
            print(f['rewards'].sum(), f['terminals'].tolist())
        """, [url.path])
        XCTAssertEqual(output, """
        observations <f4 (5, 3)
        actions <f4 (5, 2)
        rewards <f4 (5,)
        next_observations <f4 (5, 3)
        terminals |b1 (5,)
        timeouts |b1 (5,)
        metadata <U\(dataset.metadata!.json().unicodeScalars.count) ()
        Pendulum-v1 medium-replay random: uniform — ünïcode 2 5 5
        15.0 [False, True, False, False, False]

        """)
    }
}
