#if canImport(Glibc)
import Glibc
#endif

/// Finds an agent CLI (orchestration.md §3.1 `executors.<agent>.binary`): the override variable
/// when set (a path, or a name looked up on PATH), else the configured binary, else the default
/// name on PATH.
public enum ExecutableLocator {
    public static func find(
        _ name: String, override variable: String, configured: String = "", environment: [String: String]
    ) -> String? {
        let wanted = environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? (configured.isEmpty ? name : configured)
        if wanted.contains("/") { return isExecutable(wanted) ? wanted : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + wanted
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    static func isExecutable(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    /// `find`, or the `SpawnError` of `missing`: a run whose CLI is not there fails with it.
    public static func require(
        _ name: String, override variable: String, configured: String = "", environment: [String: String]
    ) throws -> String {
        guard let found = find(name, override: variable, configured: configured, environment: environment) else {
            throw SpawnError(
                description: missing(name, override: variable, configured: configured, environment: environment))
        }
        return found
    }

    /// The error of a missing CLI: what was looked for and how to fix it.
    public static func missing(
        _ name: String, override variable: String, configured: String = "", environment: [String: String]
    ) -> String {
        if let value = environment[variable], !value.isEmpty {
            return "\(name) CLI not found: \(variable)=\(value) is not an executable file"
        }
        if !configured.isEmpty {
            return "\(name) CLI not found: executors.\(name).binary \(configured) is not an executable file"
        }
        return "\(name) CLI not found on PATH; install it or set \(variable) to its path"
    }
}
