#if canImport(Glibc)
import Glibc
#endif

/// The `command` agent (orchestration.md §4.5): the prompt runs as `/bin/sh -c <prompt>` in the
/// workspace, in its own session and process group, stdin `/dev/null`; stdout lines are logged as
/// `stdout`/info and stderr lines as `stderr`/error; exit code 0 is success. When the shell exits
/// its pipes are drained for at most `drainTimeout` and then abandoned, so processes it left in
/// the background keep running (until the session is detached).
public struct CommandExecutor: TaskExecutor {
    public let name = "command"
    public var shell: String
    public var drainTimeout: Duration
    public var maxLineBytes: Int

    public init(shell: String = "/bin/sh", drainTimeout: Duration = .seconds(1), maxLineBytes: Int = LineSplitter.defaultMaxLineBytes) {
        self.shell = shell
        self.drainTimeout = drainTimeout
        self.maxLineBytes = maxLineBytes
    }

    public func start(_ task: ExecutorTask, output: RunOutput) throws -> any RunningTask {
        output.system("Command started")
        output.system("\(shell) -c \(task.prompt)")
        let process = try ProcessSpawner.spawn(
            executable: shell, arguments: [shell, "-c", task.prompt], environment: task.environment,
            workingDirectory: task.workingDirectory)
        let stdout = PipeLineReader(fd: process.stdoutFD, maxLineBytes: maxLineBytes) { output.pipeLine($0, stream: "stdout") }
        let stderr = PipeLineReader(fd: process.stderrFD, maxLineBytes: maxLineBytes) { output.pipeLine($0, stream: "stderr") }
        stdout.start(name: "marionette-stdout-\(process.pid)")
        stderr.start(name: "marionette-stderr-\(process.pid)")
        return RunningCommand(process: process, readers: [stdout, stderr], drainTimeout: drainTimeout)
    }
}

/// A running `/bin/sh -c` task.
struct RunningCommand: RunningTask {
    let process: SpawnedProcess
    let readers: [PipeLineReader]
    let drainTimeout: Duration

    var processGroups: [Int32] { [process.processGroup] }

    func result() async -> ExecutorResult {
        let status = await ProcessSpawner.waitForExit(process.pid)
        await PipeLineReader.drain(readers, within: drainTimeout)
        switch status {
        case .exited(let code):
            return ExecutorResult(success: code == 0, exitCode: code, error: code == 0 ? "" : "exit status \(code)")
        case .signaled(let signal):
            return ExecutorResult(success: false, exitCode: 128 + signal, error: "terminated by signal \(signal)")
        case .unknown:
            return ExecutorResult(success: false, exitCode: -1, error: "exit status unknown")
        }
    }
}
