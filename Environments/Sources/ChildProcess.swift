import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process spoken to in lines: the parent writes lines to its stdin
/// and reads lines from its stdout with a deadline; its stderr goes to a
/// temporary file whose last lines are quoted in errors.
///
/// - stdin is one end of a Unix socket pair, written with `send(MSG_NOSIGNAL)`
///   so that writing to a dead child is an `EPIPE` error, not a `SIGPIPE` that
///   kills the parent (no process-wide signal disposition is changed).
/// - stdout is a pipe read with `poll(2)` and a deadline, so a hung child
///   cannot block the parent forever.
/// - `terminate(grace:)` sends SIGTERM, waits up to `grace` seconds, then
///   SIGKILL, and waits until Foundation's `Process` has reaped the child.
///   `deinit` calls it, so the child never outlives this object.
final class ChildProcess {
    enum ReadOutcome: Equatable {
        case line(String)
        /// Nothing (or no complete line) arrived before the deadline.
        case timeout
        /// The child closed its stdout (usually: it exited).
        case endOfFile
    }

    let process = Process()
    private var inputFD: Int32 = -1
    private var outputFD: Int32 = -1
    private let stderrPath: String
    private var buffer: [UInt8] = []
    private var terminated = false
    /// The longest reply line accepted (64 MiB).
    static let maxLineBytes = 64 << 20

    /// Starts `arguments[0]` (looked up in `PATH` by `/usr/bin/env`) with the rest as arguments.
    init(arguments: [String]) throws {
        precondition(!arguments.isEmpty, "ChildProcess: empty argument list")
        var sockets: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, streamSocketType, 0, &sockets) == 0 else {
            throw ChildProcessError.launch("socketpair failed: \(String(cString: strerror(errno)))")
        }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            close(sockets[0]); close(sockets[1])
            throw ChildProcessError.launch("pipe failed: \(String(cString: strerror(errno)))")
        }
        stderrPath = NSTemporaryDirectory() + "/mbrl-child-\(getpid())-\(UUID().uuidString).stderr"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        guard let stderrHandle = FileHandle(forWritingAtPath: stderrPath) else {
            [sockets[0], sockets[1], pipeFDs[0], pipeFDs[1]].forEach { _ = close($0) }
            throw ChildProcessError.launch("cannot create the stderr file \(stderrPath)")
        }
        inputFD = sockets[0]
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(inputFD, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        outputFD = pipeFDs[0]
        _ = fcntl(inputFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(outputFD, F_SETFD, FD_CLOEXEC)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle(fileDescriptor: sockets[1], closeOnDealloc: false)
        process.standardOutput = FileHandle(fileDescriptor: pipeFDs[1], closeOnDealloc: false)
        process.standardError = stderrHandle
        defer {
            // The child's ends: the child has its own copies after launch.
            close(sockets[1])
            close(pipeFDs[1])
            try? stderrHandle.close()
        }
        do {
            try process.run()
        } catch {
            close(inputFD); close(outputFD)
            inputFD = -1; outputFD = -1
            try? FileManager.default.removeItem(atPath: stderrPath)
            terminated = true
            throw ChildProcessError.launch("cannot start: \(error.localizedDescription)")
        }
    }

    deinit { terminate(grace: 1) }

    var pid: Int32 { process.processIdentifier }

    /// Writes `line` and a newline to the child's stdin. `false` if the child
    /// cannot receive it (it exited or closed its stdin).
    func send(_ line: String) -> Bool {
        guard inputFD >= 0 else { return false }
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                sendWithoutSignal(inputFD, raw.baseAddress! + offset, bytes.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// The next line from the child's stdout (without the newline), waiting at most `timeout` seconds.
    func readLine(timeout: Double) -> ReadOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64((timeout * 1000).rounded(.up)))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return .line(line.hasSuffix("\r") ? String(line.dropLast()) : line)
            }
            guard outputFD >= 0 else { return .endOfFile }
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return .timeout }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(milliseconds))
            if ready < 0 {
                if errno == EINTR { continue }
                return .endOfFile
            }
            if ready == 0 { continue }   // re-check the deadline
            let n = chunk.withUnsafeMutableBytes { read(outputFD, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .endOfFile
            }
            if n == 0 { return .endOfFile }
            buffer.append(contentsOf: chunk[0..<n])
            if buffer.count > Self.maxLineBytes {   // a runaway line: hand back what came, it fails to parse
                let line = String(decoding: buffer, as: UTF8.self)
                buffer.removeAll()
                return .line(line)
            }
        }
    }

    /// Waits up to `seconds` for the child to exit; whether it has.
    @discardableResult
    func waitForExit(seconds: Double) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
        while process.isRunning {
            if clock.now >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// How the child ended ("exit status 3", "killed by signal 9"), or `nil` while it runs.
    var exitDescription: String? {
        guard !process.isRunning else { return nil }
        switch process.terminationReason {
        case .exit: return "exit status \(process.terminationStatus)"
        case .uncaughtSignal: return "killed by signal \(process.terminationStatus)"
        @unknown default: return "status \(process.terminationStatus)"
        }
    }

    /// The last `count` non-empty lines the child wrote to stderr.
    func stderrTail(_ count: Int = 8) -> [String] {
        guard let text = try? String(contentsOfFile: stderrPath, encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return Array(lines.suffix(count))
    }

    /// Ends the child (SIGTERM, then SIGKILL after `grace` seconds), reaps it,
    /// closes the descriptors and removes the stderr file. Idempotent.
    func terminate(grace: Double) {
        guard !terminated else { return }
        terminated = true
        if inputFD >= 0 { close(inputFD); inputFD = -1 }   // EOF on the child's stdin
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            if !waitForExit(seconds: grace) {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        if outputFD >= 0 { close(outputFD); outputFD = -1 }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Closes stdin so the child sees end-of-file, and waits up to `seconds` for it to exit by itself.
    func closeInput(wait seconds: Double) -> Bool {
        if inputFD >= 0 { close(inputFD); inputFD = -1 }
        return waitForExit(seconds: seconds)
    }
}

#if canImport(Glibc)
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
private func sendWithoutSignal(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    send(fd, bytes, count, Int32(MSG_NOSIGNAL))
}
#else
private let streamSocketType = SOCK_STREAM
private func sendWithoutSignal(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    send(fd, bytes, count, 0)   // SO_NOSIGPIPE is set on the socket
}
#endif

/// The child could not be started.
enum ChildProcessError: Error {
    case launch(String)
}
