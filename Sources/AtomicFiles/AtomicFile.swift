import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that a reader, or a run killed mid-write, never sees
/// half done — the one implementation behind every file the framework writes
/// (datasets, checkpoints, evaluations, run directories).
///
/// `write(_:to:)` puts the bytes in a new temporary file in the destination's
/// directory (`O_CREAT | O_EXCL`, unique name), flushes it with `fsync`, and
/// renames it over the destination: `rename(2)` is atomic within one file
/// system, so a reader sees the old file or the complete new one. On any
/// failure the temporary file is removed and the old file is left untouched.
///
/// Cost: one `write(2)` loop over the bytes, one `fsync`, one `rename`.
public enum AtomicFile {
    /// Atomically replaces `url` with `bytes`.
    public static func write(_ bytes: some ContiguousBytes, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        func fail(_ what: String) -> AtomicFileError {
            AtomicFileError(path: url.path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw fail("cannot create a temporary file in \(directory.path)") }
        var done = false
        defer { if !done { unlink(temporary.path) } }
        let writeError: AtomicFileError? = bytes.withUnsafeBytes { raw -> AtomicFileError? in
            var written = 0
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return fail("write failed after \(written) of \(raw.count) bytes")
                }
                written += n
            }
            return nil
        }
        if let writeError { close(fd); throw writeError }
        guard fsync(fd) == 0 else { let error = fail("fsync failed"); close(fd); throw error }
        guard close(fd) == 0 else { throw fail("close failed") }
        guard rename(temporary.path, url.path) == 0 else { throw fail("cannot rename the temporary file into place") }
        done = true
    }

    /// Atomically replaces `url` with the UTF-8 bytes of `text`.
    public static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }
}

/// An `AtomicFile.write` that failed: the destination and what went wrong
/// (the old file, if any, is unchanged).
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
