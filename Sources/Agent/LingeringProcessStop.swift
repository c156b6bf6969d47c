#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An agent CLI that should exit by itself once its stdin closes (Claude Code after `result`, a
/// Codex app-server after its turn): one that is still there `grace` later gets SIGTERM, and
/// SIGKILL another `grace` later. Signals stop once the process was reaped (its pid may be reused).
final class LingeringProcessStop: Sendable {
    private struct State {
        var exited = false
        var stopped = false
    }

    let pid: pid_t
    let grace: Duration
    private let state = Mutex(State())

    init(pid: pid_t, grace: Duration) {
        self.pid = pid
        self.grace = grace
    }

    /// Its stdin was closed: from now on it has `grace` to exit.
    func start() {
        Task { [self] in
            try? await Task.sleep(for: grace)
            guard state.withLock({ state in
                if state.exited { return false }
                state.stopped = true
                return true
            }) else { return }
            kill(pid, SIGTERM)
            try? await Task.sleep(for: grace)
            if !hasExited { kill(pid, SIGKILL) }
        }
    }

    /// The process was reaped: no more signals to its pid.
    func markExited() { state.withLock { $0.exited = true } }

    var hasExited: Bool { state.withLock { $0.exited } }

    /// Whether it lingered and was stopped by a signal (its exit status is then the runner's doing).
    var stoppedAfterEnd: Bool { state.withLock { $0.stopped } }
}
