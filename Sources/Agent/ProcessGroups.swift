#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Process groups of tasks: liveness from `/proc` and termination (SIGTERM to the group, a grace
/// period, then SIGKILL), orchestration.md §4.1.
public enum ProcessGroups {
    /// Live (not zombie) members of a process group, from `/proc/<pid>/stat`.
    public static func members(of group: pid_t) -> [pid_t] {
        ProcFS.processes().filter { $0.processGroup == group && $0.state != "Z" && $0.state != "X" }.map(\.pid)
    }

    public static func isAlive(_ group: pid_t) -> Bool { !members(of: group).isEmpty }

    /// SIGTERM to every group, wait until they are gone or `grace` passed, then SIGKILL the rest.
    /// Returns when every group is gone (or 2 s after SIGKILL at most).
    public static func terminate(_ groups: [pid_t], grace: Duration = .seconds(5)) async {
        let targets = Array(Set(groups.filter { $0 > 1 }))
        guard !targets.isEmpty else { return }
        for group in targets { kill(-group, SIGTERM) }
        if await waitUntilGone(targets, timeout: grace) { return }
        for group in targets where isAlive(group) { kill(-group, SIGKILL) }
        _ = await waitUntilGone(targets, timeout: .seconds(2))
    }

    /// SIGKILL without grace.
    public static func killNow(_ groups: [pid_t]) {
        for group in Set(groups) where group > 1 { kill(-group, SIGKILL) }
    }

    /// Reaps exited children of ours in these groups (processes re-parented to the agent when it
    /// is PID 1). Only call for groups whose leader has already been waited for.
    public static func reap(_ groups: [pid_t]) {
        for group in groups where group > 1 {
            var status: Int32 = 0
            while waitpid(-group, &status, WNOHANG) > 0 {}
        }
    }

    private static func waitUntilGone(_ groups: [pid_t], timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let alive = Set(ProcFS.processes().filter { $0.state != "Z" && $0.state != "X" }.map(\.processGroup))
            if groups.allSatisfy({ !alive.contains($0) }) { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
