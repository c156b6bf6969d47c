/// The environment of a task process: the agent's own environment without its credentials,
/// plus the task's `env` and a few `MARIONETTE_*` variables describing the run.
public enum TaskEnvironment {
    /// Agent variables that must never reach a task (the runner token and TLS key paths).
    public static func isAgentSecret(_ name: String) -> Bool {
        guard name.hasPrefix("MARIONETTE_") else { return false }
        return name.contains("TOKEN") || name.contains("KEY") || name.contains("SECRET") || name.contains("PASSWORD")
    }

    public static func build(
        base: [String: String], task: [String: String], key: RunKey, sessionID: String, workspace: String
    ) -> [String: String] {
        var environment = base.filter { !isAgentSecret($0.key) }
        environment["MARIONETTE_SESSION_ID"] = sessionID
        environment["MARIONETTE_TASK_ID"] = key.taskID
        environment["MARIONETTE_RUN_ID"] = key.runID
        environment["MARIONETTE_WORKSPACE"] = workspace
        for (name, value) in task { environment[name] = value }
        return environment
    }
}
