import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Starts a headless X server for a display that does not exist yet (streaming.md §5.2):
/// `Xvfb :<n> -screen 0 <w>x<h>x24 -nolisten tcp -noreset` as a child process, then waits until its socket
/// `/tmp/.X11-unix/X<n>` exists and an XCB connection succeeds, polling every 15 ms for at most
/// `timeout` (no fixed sleeps). Xvfb's output goes to `/tmp/marionette-xvfb-<n>.log`, whose tail is
/// quoted when it fails. `stop()` terminates it (SIGTERM, then SIGKILL after 2 s) and reaps it.
///
/// `-noreset` (as neko and selkies run their servers): without it the server resets whenever its
/// last client leaves — after our own readiness probe, say — and connections made during the reset
/// fail (measured: 11 of 200 immediate reconnects); a reset would also wipe the desktop's settings.
///
/// `start()` blocks for up to `timeout`: call it from a dedicated thread, not an event loop.
public final class XvfbLauncher: Sendable {
    public let display: String
    public let displayNumber: Int
    public let width: Int
    public let height: Int
    private let process = Mutex<pid_t?>(nil)

    public init(display: String, width: Int, height: Int) throws(DesktopCaptureError) {
        guard let number = Self.displayNumber(display) else {
            throw .invalidConfiguration("display \"\(display)\" is not of the form :<number> (a local display)")
        }
        guard (16...16_384).contains(width), (16...16_384).contains(height) else {
            throw .invalidConfiguration("Xvfb screen size \(width)x\(height)")
        }
        self.display = display
        displayNumber = number
        self.width = width
        self.height = height
    }

    deinit { stop() }

    /// `:99` or `:99.0` → 99; nil for remote or malformed names.
    public static func displayNumber(_ display: String) -> Int? {
        guard display.first == ":" else { return nil }
        let digits = display.dropFirst().prefix { $0 != "." }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let number = Int(digits), number >= 0 else { return nil }
        return number
    }

    /// The local socket of a display, `/tmp/.X11-unix/X<n>`.
    public static func socketPath(display: String) -> String? {
        displayNumber(display).map { "/tmp/.X11-unix/X\($0)" }
    }

    public static func socketExists(display: String) -> Bool {
        guard let path = socketPath(display: display) else { return false }
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
    }

    /// The `Xvfb` binary on PATH (or in /usr/bin), nil when it is not installed.
    public static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") + ["/usr/bin"] {
            let candidate = "\(directory)/Xvfb"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// The running Xvfb's process id, nil when none runs.
    public var processID: pid_t? { process.withLock { $0 } }

    /// Starts Xvfb and returns once clients can connect. Throws when the display already exists,
    /// Xvfb is not installed, exits early or is not ready within `timeout`.
    public func start(timeout: Duration = .seconds(10)) throws(DesktopCaptureError) {
        guard processID == nil else { return }
        guard !Self.socketExists(display: display) else {
            throw .xvfbFailed(
                display: display, reason: "the display already exists (\(Self.socketPath(display: display)!))")
        }
        guard let binary = Self.executable else { throw .xvfbNotInstalled }
        let logPath = "/tmp/marionette-xvfb-\(displayNumber).log"
        let arguments = [binary, display, "-screen", "0", "\(width)x\(height)x24", "-nolisten", "tcp", "-noreset"]
        let pid = try spawn(binary, arguments, logPath: logPath)
        process.withLock { $0 = pid }

        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                process.withLock { $0 = nil }
                throw .xvfbFailed(display: display, reason: "Xvfb exited (status \(status)): \(Self.tail(of: logPath))")
            }
            if Self.socketExists(display: display), (try? X11Connection(display: display)) != nil { return }
            if ContinuousClock.now >= deadline {
                stop()
                throw .xvfbFailed(display: display, reason: "not ready after \(timeout): \(Self.tail(of: logPath))")
            }
            usleep(15_000)
        }
    }

    /// Terminates Xvfb and reaps it. Idempotent.
    public func stop() {
        guard
            let pid = process.withLock({ value -> pid_t? in
                defer { value = nil }; return value
            })
        else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<200 {  // 2 s
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    private func spawn(_ binary: String, _ arguments: [String], logPath: String) throws(DesktopCaptureError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Default signal handling and an empty mask, whatever the spawning thread blocks.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, binary, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw .xvfbFailed(display: display, reason: "posix_spawn \(binary): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// The last lines of Xvfb's log, for error messages.
    private static func tail(of path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "no log at \(path)" }
        let lines = text.split(separator: "\n").suffix(5).joined(separator: " | ")
        return lines.isEmpty ? "empty log \(path)" : lines
    }
}
