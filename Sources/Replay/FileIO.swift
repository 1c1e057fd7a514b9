import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into one array (no intermediate `Data` copy), mapping
/// I/O failures to `DatasetError` (kind `.io`).
func readFileBytes(_ url: URL) throws -> [UInt8] {
    func fail(_ what: String) -> DatasetError {
        DatasetError(file: url.path, kind: .io, message: errno == ENOENT ? "file does not exist"
                     : "\(what): \(String(cString: strerror(errno)))")
    }
    let fd = open(url.path, O_RDONLY)
    guard fd >= 0 else { throw fail("file cannot be opened") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw fail("file cannot be examined") }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
        throw DatasetError(file: url.path, kind: .io, message: "is not a regular file")
    }
    let size = Int(info.st_size)
    var failure: DatasetError?
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        while initialized < size {
            let n = read(fd, buffer.baseAddress! + initialized, size - initialized)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { failure = fail("read failed after \(initialized) of \(size) bytes"); return }
            if n == 0 { break }   // the file shrank while reading
            initialized += n
        }
    }
    if let failure { throw failure }
    return bytes
}

/// Writes `bytes` to `url` atomically: the bytes go to a temporary file in the
/// same directory, which is flushed (`fsync`) and then renamed over `url`
/// (`rename(2)` is atomic on one file system). A reader sees either the old
/// file or the complete new one, never a partial write; a failed write leaves
/// the old file in place and removes the temporary file.
func writeFileAtomically(_ bytes: [UInt8], to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
    func fail(_ what: String) -> DatasetError {
        DatasetError(file: url.path, kind: .io, message: "\(what): \(String(cString: strerror(errno)))")
    }
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw fail("cannot create a temporary file in \(directory.path)") }
    var ok = false
    defer {
        if !ok { unlink(temporary.path) }
    }
    var written = 0
    let writeError: DatasetError? = bytes.withUnsafeBytes { raw -> DatasetError? in
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                return fail("write failed after \(written) of \(raw.count) bytes")
            }
            written += n
        }
        return nil
    }
    if let writeError { close(fd); throw writeError }
    guard fsync(fd) == 0 else { let e = fail("fsync failed"); close(fd); throw e }
    guard close(fd) == 0 else { throw fail("close failed") }
    guard rename(temporary.path, url.path) == 0 else { throw fail("cannot rename the temporary file into place") }
    ok = true
}
