import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader (or a killed run) never sees half a file:
/// the bytes go to a temporary file in the same directory, which is then
/// renamed over the destination (rename is atomic within a file system).
public enum AtomicFile {
    /// Atomically replaces `url` with `data`.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw ExperimentError.io(path: url.path, reason: "could not rename the temporary file: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ExperimentError.io(path: url.path, reason: "could not write: \(error.localizedDescription)")
        }
    }

    /// Atomically replaces `url` with the UTF-8 `text`.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
