import AtomicFiles
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

/// `AtomicFile.write` (temporary file, `fsync`, `rename`), its failure
/// reported as a `DatasetError` of kind `.io`.
func writeFileAtomically(_ bytes: [UInt8], to url: URL) throws {
    do {
        try AtomicFile.write(bytes, to: url)
    } catch let error as AtomicFileError {
        throw DatasetError(file: url.path, kind: .io, message: error.reason)
    }
}
