/// The argv and environment of one `codex exec --json` run (orchestration.md §4.4 exec mode).
/// Pure.
public struct CodexInvocation: Sendable, Equatable {
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String
    public var resumedThread: String?

    /// - Parameters:
    ///   - sandbox: `executors.codex.sandbox` (`workspace-write` by default).
    ///   - hostLogin: the host's default `CODEX_HOME` holds a login; without an API key it is kept.
    public static func make(binary: String, task: ExecutorTask, sandbox: String = "workspace-write", hostLogin: Bool = false)
        -> CodexInvocation
    {
        let settings = task.agentSettings ?? AgentSettings(agent: "codex")
        let workspace = task.environment["MARIONETTE_WORKSPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? task.workingDirectory
        var flags = ["--json", "--skip-git-repo-check", "--sandbox", sandbox]
        if !settings.model.isEmpty { flags += ["--model", settings.model] }
        if task.workingDirectory != workspace { flags += ["--cd", task.workingDirectory] }
        // `config.<key>` entries of the agent config become `-c key=value` overrides.
        for (key, value) in settings.extra.sorted(by: { $0.key < $1.key }) where key.hasPrefix("config.") {
            flags += ["-c", String(key.dropFirst("config.".count)) + "=" + value]
        }
        let thread = CodexOutcome.threadID(fromSnapshot: task.contextSnapshot)
        var arguments = [binary, "exec"]
        if let thread { arguments += ["resume", thread] }
        // `-`: the prompt is read from stdin.
        arguments += flags + ["-"]

        var environment = task.environment
        if !settings.apiKey.isEmpty {
            environment["CODEX_API_KEY"] = settings.apiKey
            environment["OPENAI_API_KEY"] = settings.apiKey
        }
        if !settings.baseURL.isEmpty { environment["OPENAI_BASE_URL"] = settings.baseURL }
        let keyed = !settings.apiKey.isEmpty || environment["CODEX_API_KEY"] != nil || environment["OPENAI_API_KEY"] != nil
        if environment["CODEX_HOME"] == nil, keyed || !hostLogin {
            environment["CODEX_HOME"] = workspace + "/.marionette/agents/codex"
        }
        return CodexInvocation(arguments: arguments, environment: environment, workingDirectory: workspace, resumedThread: thread)
    }

    /// `codex app-server` (sessions with `permission_policy: ask`): the thread, model and
    /// sandbox travel in the JSON-RPC messages; environment as for exec.
    public static func appServer(binary: String, task: ExecutorTask, hostLogin: Bool = false) -> CodexInvocation {
        var invocation = make(binary: binary, task: task, hostLogin: hostLogin)
        invocation.arguments = [binary, "app-server"]
        return invocation
    }

    public var displayCommand: String { arguments.map(ClaudeInvocation.quote).joined(separator: " ") }
}
