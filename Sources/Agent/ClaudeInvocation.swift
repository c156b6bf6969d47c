import Core

/// The argv, environment and working directory of one `claude` run (orchestration.md §4.2). Pure.
public struct ClaudeInvocation: Sendable, Equatable {
    public var arguments: [String]
    public var environment: [String: String]
    /// The session workspace (transcripts are keyed by cwd, so it is the same on every run).
    public var workingDirectory: String
    /// `--resume` target, when the session has a conversation.
    public var resumedConversation: String?

    /// `extra` keys of the agent config that become flags.
    static let flagKeys: [(key: String, flag: String)] = [
        ("system_prompt", "--system-prompt"), ("append_system_prompt", "--append-system-prompt"),
        ("allowed_tools", "--allowedTools"), ("disallowed_tools", "--disallowedTools"), ("max_turns", "--max-turns"),
    ]

    /// - Parameters:
    ///   - hostLogin: the host has a logged-in default config dir; without an API key the CLI
    ///     keeps using it. Otherwise the config dir lives in the workspace, so transcripts travel
    ///     with it and `--resume` works on any runner (§4.6).
    public static func make(
        binary: String, task: ExecutorTask, extraArguments: [String] = [], hostLogin: Bool = false
    ) -> ClaudeInvocation {
        let settings = task.agentSettings ?? AgentSettings(agent: "claude")
        let workspace = task.environment["MARIONETTE_WORKSPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? task.workingDirectory
        var arguments = [
            binary, "-p", "--output-format", "stream-json", "--input-format", "stream-json", "--verbose",
            "--permission-mode", "default", "--permission-prompt-tool", "stdio",
        ]
        if !settings.model.isEmpty { arguments += ["--model", settings.model] }
        for (key, flag) in flagKeys {
            if let value = settings.extra[key], !value.isEmpty { arguments += [flag, value] }
        }
        if task.workingDirectory != workspace { arguments += ["--add-dir", task.workingDirectory] }
        arguments += extraArguments
        let conversation = ClaudeOutcome.conversationID(fromSnapshot: task.contextSnapshot)
        // `=`: a conversation id starting with '-' is not read as a flag.
        if let conversation { arguments.append("--resume=" + conversation) }

        var environment = task.environment
        environment["CLAUDECODE"] = nil
        if !settings.apiKey.isEmpty { environment["ANTHROPIC_API_KEY"] = settings.apiKey }
        if !settings.baseURL.isEmpty { environment["ANTHROPIC_BASE_URL"] = settings.baseURL }
        let keyed = !settings.apiKey.isEmpty || environment["ANTHROPIC_API_KEY"] != nil
        if environment["CLAUDE_CONFIG_DIR"] == nil, keyed || !hostLogin {
            environment["CLAUDE_CONFIG_DIR"] = workspace + "/.marionette/agents/claude"
        }
        return ClaudeInvocation(
            arguments: arguments, environment: environment, workingDirectory: workspace, resumedConversation: conversation)
    }

    /// The command line for the run's second `system` line: arguments shell-quoted where needed.
    public var displayCommand: String {
        arguments.map(Self.quote).joined(separator: " ")
    }

    static func quote(_ argument: String) -> String {
        let plain = !argument.isEmpty
            && argument.unicodeScalars.allSatisfy {
                ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || "-_./=:,@+%".unicodeScalars.contains($0)
            }
        return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The first stdin line: the prompt as a user message.
    public static func userMessage(_ prompt: String) -> String {
        var line = #"{"type":"user","message":{"role":"user","content":[{"type":"text","text":""#
        line += jsonEscaped(prompt)
        line += #""}]}}"#
        return line
    }

    /// The `initialize` control request the SDKs send before the first message.
    public static func initializeRequest(id: String) -> String {
        #"{"type":"control_request","request_id":""# + jsonEscaped(id) + #"","request":{"subtype":"initialize","hooks":null}}"#
    }

    /// The answer to a `can_use_tool` request.
    public static func permissionResponse(requestID: String, allow: Bool, inputJSON: String, message: String) -> String {
        let decision =
            allow
            ? #"{"behavior":"allow","updatedInput":"# + inputJSON + "}"
            : #"{"behavior":"deny","message":""# + jsonEscaped(message) + #""}"#
        return #"{"type":"control_response","response":{"subtype":"success","request_id":""# + jsonEscaped(requestID)
            + #"","response":"# + decision + "}}"
    }

    /// The answer to a control request subtype the runner does not implement.
    public static func unsupportedResponse(requestID: String) -> String {
        #"{"type":"control_response","response":{"subtype":"error","request_id":""# + jsonEscaped(requestID)
            + #"","error":"unsupported"}}"#
    }

    static func jsonEscaped(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        JSONStringEscaping.append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
