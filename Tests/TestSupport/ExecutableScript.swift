#if canImport(Glibc)
import Glibc
#endif

/// Writes a script the test then runs, through a close-on-exec descriptor. Foundation's
/// `String.write(toFile:atomically:)` leaves its descriptor inheritable, so a child that a test running
/// in parallel forks at that moment keeps the file open for writing, and running the script fails
/// with ETXTBSY ("Text file busy"), as CI saw with the Android `adb` stand-in.
public enum ExecutableScript {
    public struct WriteFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw WriteFailure(description: "cannot create \(path): errno \(errno)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw WriteFailure(description: "short write to \(path)") }
        // open's mode is masked by the umask; the script must be executable whatever it is.
        chmod(path, 0o755)
    }
}
