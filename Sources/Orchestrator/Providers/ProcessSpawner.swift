#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// posix_spawn in a new session (so the whole process group can be signalled), with stdout and
/// stderr appended to a log file. Foundation's Process cannot start a new process group.
enum ProcessSpawner {
    /// The child starts in this process's working directory; the agent takes absolute paths.
    /// `onExit` runs on the reaper thread with the child's wait status once it ends.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], logPath: String,
        onExit: (@Sendable (Int32) -> Void)? = nil
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc ≥ 2.26) is not exported to Swift; its value is 0x80.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The child must not inherit the server's listening sockets: a runner that outlives a
        // crashed server would keep its ports bound.
        closeFrom(3, in: &actions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw ProviderError.spawnFailed("\(executable): \(String(cString: strerror(result)))") }
        // Reap the child on a dedicated thread so it never lingers as a zombie.
        let child = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            onExit?(status)
        }
        return pid
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc ≥ 2.34) is not exported to Swift, so it is
    /// looked up at run time; without it every descriptor open now is closed one by one.
    private static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        // RTLD_DEFAULT is the null handle on glibc.
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, lowest) == 0 { return }
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd >= lowest {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// SIGTERM to the group, up to `grace`, then SIGKILL.
    static func terminateGroup(_ pid: pid_t, grace: Duration) async {
        guard pid > 1 else { return }
        guard kill(-pid, SIGTERM) == 0 || kill(pid, SIGTERM) == 0 else { return }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if kill(pid, 0) != 0 { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
    }

    /// "exit status N" or "signal N" for a `waitpid` status.
    static func describe(waitStatus status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signal)"
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }
}
