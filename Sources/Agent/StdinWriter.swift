#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The write end of a task's stdin pipe, shared by the threads that answer the CLI: whole lines,
/// one writer at a time, and nothing after `close()`. Writes block only while the CLI does not
/// read its stdin (lines are small); a CLI that exited gives EPIPE (SIGPIPE is ignored).
final class StdinWriter: Sendable {
    private let fd: Mutex<Int32>

    init(fd: Int32) { self.fd = Mutex(fd) }

    /// Writes `line` and a newline; false when closed or the pipe broke.
    @discardableResult
    func writeLine(_ line: String) -> Bool {
        fd.withLock { fd in
            guard fd >= 0 else { return false }
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Closes stdin (the CLI sees end of input). Idempotent.
    func close() {
        fd.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    var isClosed: Bool { fd.withLock { $0 < 0 } }
}
