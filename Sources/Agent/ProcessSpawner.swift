#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child process started in its own session and process group, with stdout and stderr pipes.
public struct SpawnedProcess: Sendable {
    public var pid: pid_t
    /// The process group (= `pid`: the child is a session leader).
    public var processGroup: pid_t { pid }
    /// Read ends of the stdout and stderr pipes (owned by the caller).
    public var stdoutFD: Int32
    public var stderrFD: Int32
    /// Write end of the stdin pipe (owned by the caller), or -1 when stdin is `/dev/null`.
    public var stdinFD: Int32 = -1
}

public struct SpawnError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// `posix_spawn` with `POSIX_SPAWN_SETSID` (Foundation's `Process` cannot start a new process
/// group): stdin is `/dev/null` (or a pipe for agents that take input), stdout and stderr go to pipes, every signal is reset to its
/// default disposition and the mask is cleared (the agent ignores SIGINT/SIGTERM/SIGPIPE itself;
/// ignored dispositions would otherwise be inherited across exec).
public enum ProcessSpawner {
    /// glibc's `POSIX_SPAWN_SETSID` (spawn.h, `__USE_GNU`), not exported to Swift.
    static let spawnSetSID: Int32 = 0x80

    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    /// `posix_spawn_file_actions_addchdir_np` (glibc ≥ 2.29), looked up at run time because the
    /// Glibc module does not export GNU extensions.
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    /// `pipe2` (GNU) looked up like `addchdir`: the pipe is close-on-exec from the start, so a
    /// task spawned concurrently never inherits another task's pipe.
    private static let pipe2: Pipe2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()

    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        if let pipe2 {
            return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress, O_CLOEXEC) } == 0
        }
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    public static func spawn(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String,
        stdinPipe: Bool = false
    ) throws -> SpawnedProcess {
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        var stdinFDs: [Int32] = [-1, -1]
        guard makePipe(&stdoutPipe) else { throw SpawnError(description: "pipe: \(errnoText())") }
        guard makePipe(&stderrPipe) else {
            close(stdoutPipe[0])
            close(stdoutPipe[1])
            throw SpawnError(description: "pipe: \(errnoText())")
        }
        if stdinPipe, !makePipe(&stdinFDs) {
            for fd in stdoutPipe + stderrPipe { close(fd) }
            throw SpawnError(description: "pipe: \(errnoText())")
        }
        defer {
            close(stdoutPipe[1])
            close(stderrPipe[1])
            if stdinPipe { close(stdinFDs[0]) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdinPipe {
            posix_spawn_file_actions_adddup2(&actions, stdinFDs[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        var executablePath = executable
        var argv = arguments
        if let addChdir {
            guard addChdir(&actions, workingDirectory) == 0 else {
                throw SpawnError(description: "cannot change to \(workingDirectory)")
            }
        } else {
            // No addchdir: let a shell change directory, then exec the real program.
            argv = ["/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"", workingDirectory] + arguments
            executablePath = "/bin/sh"
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        let flags = spawnSetSID | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executablePath, &actions, &attributes, cArguments, cEnvironment)
        guard status == 0 else {
            close(stdoutPipe[0])
            close(stderrPipe[0])
            if stdinPipe { close(stdinFDs[1]) }
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return SpawnedProcess(pid: pid, stdoutFD: stdoutPipe[0], stderrFD: stderrPipe[0], stdinFD: stdinFDs[1])
    }

    /// Blocks a dedicated thread in `waitpid` and resumes with the exit status.
    public static func waitForExit(_ pid: pid_t) async -> ExitStatus {
        await withCheckedContinuation { (continuation: CheckedContinuation<ExitStatus, Never>) in
            let thread = Thread {
                var status: Int32 = 0
                while true {
                    let result = waitpid(pid, &status, 0)
                    if result == pid { break }
                    if result < 0, errno == EINTR { continue }
                    continuation.resume(returning: .unknown)
                    return
                }
                continuation.resume(returning: ExitStatus(waitStatus: status))
            }
            thread.name = "marionette-wait-\(pid)"
            thread.start()
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// How a process ended.
public enum ExitStatus: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
    /// `waitpid` failed (the child was reaped elsewhere).
    case unknown

    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(signal)
        }
    }

    /// Shell convention: 128 + signal for a signaled process, -1 when unknown.
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        case .unknown: -1
        }
    }
}
