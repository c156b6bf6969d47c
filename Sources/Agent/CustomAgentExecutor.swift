/// The `custom` agent (orchestration.md §4.5): a command from the agent config, run in the
/// workspace in its own process group, the prompt on stdin or as an argument; output lines in the
/// Claude or Codex shape are structured log lines, the rest plain text.
public struct CustomAgentExecutor: TaskExecutor {
    public let name = "custom"
    public var drainTimeout: Duration
    public var maxLineBytes: Int

    public init(drainTimeout: Duration = .seconds(1), maxLineBytes: Int = LineSplitter.defaultMaxLineBytes) {
        self.drainTimeout = drainTimeout
        self.maxLineBytes = maxLineBytes
    }

    public func start(_ task: ExecutorTask, output: RunOutput) throws -> any RunningTask {
        let invocation = try CustomAgentInvocation.make(task: task)
        let program = invocation.arguments[0]
        guard let binary = program.contains("/") ? program : ExecutableLocator.find(program, override: "", environment: invocation.environment)
        else { throw SpawnError(description: "custom agent: \(program) not found on PATH") }
        output.system("Custom agent started")
        output.system(invocation.arguments.map(ClaudeInvocation.quote).joined(separator: " "))
        let process = try ProcessSpawner.spawn(
            executable: binary, arguments: invocation.arguments, environment: invocation.environment,
            workingDirectory: task.workingDirectory, stdinPipe: true)
        return StreamedAgentProcess(
            process: process, parser: CustomAgentOutput(plainText: invocation.plainText), task: task, output: output,
            stdinText: invocation.stdinText, maxLineBytes: maxLineBytes, drainTimeout: drainTimeout,
            outcome: { CustomAgentOutput.result(exit: $0, output: $1) })
    }
}
