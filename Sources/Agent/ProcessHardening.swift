import CShims

#if canImport(Glibc)
    import Glibc
#endif

/// The runner holds agent keys in memory (auth-security.md §9, SHOULD): no core dumps of it, and no
/// same-user `ptrace` or `/proc/<pid>/mem` reads by other processes. Agent CLIs it spawns are not
/// affected (the flag is reset at exec).
public enum ProcessHardening {
    /// `PR_SET_DUMPABLE 0`; nil on success, else why it failed.
    public static func keepMemoryPrivate() -> String? {
        guard mshim_set_dumpable(0) != 0 else { return nil }
        return "prctl(PR_SET_DUMPABLE) failed: errno \(errno)"
    }

    /// Whether the process is dumpable now (PR_GET_DUMPABLE), for tests.
    public static var isDumpable: Bool { mshim_get_dumpable() == 1 }
}
