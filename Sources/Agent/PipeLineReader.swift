#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Reads one pipe of a task on a dedicated thread (blocking `read`, never on an event loop or the
/// cooperative pool), splits it into lines and hands each line to `onLine`.
///
/// After `abandon()` lines are no longer delivered, but the thread keeps reading (and discarding)
/// until end of file, so a process the task left in the background never blocks on a full pipe or
/// dies of SIGPIPE. The thread closes the descriptor at end of file.
public final class PipeLineReader: Sendable {
    private struct State {
        var abandoned = false
        var finished = false
    }

    private let fd: Int32
    private let maxLineBytes: Int
    private let onLine: @Sendable (LineSplitter.Line) -> Void
    private let state = Mutex(State())

    public init(fd: Int32, maxLineBytes: Int = LineSplitter.defaultMaxLineBytes, onLine: @escaping @Sendable (LineSplitter.Line) -> Void) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
        self.onLine = onLine
    }

    public func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// End of file reached and every line delivered.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Stops delivering lines (the thread drains the pipe until end of file).
    public func abandon() { state.withLock { $0.abandoned = true } }

    /// Waits for end of file for at most `timeout`; true when reached.
    public func waitForEnd(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !isFinished {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Waits for every reader's end of file within `timeout` in all (after the process exited);
    /// a reader still open then (a grandchild holds the pipe) is abandoned.
    public static func drain(_ readers: [PipeLineReader], within timeout: Duration) async {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        for reader in readers {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if await !reader.waitForEnd(timeout: max(.zero, remaining)) { reader.abandon() }
        }
    }

    private func run() {
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            if state.withLock({ $0.abandoned }) { continue }
            for line in splitter.push(chunk[0..<count]) { onLine(line) }
        }
        if !state.withLock({ $0.abandoned }) {
            for line in splitter.finish() { onLine(line) }
        }
        close(fd)
        state.withLock { $0.finished = true }
    }
}
