import Foundation
import Testing

@testable import Agent

@Suite(.serialized) struct CommandExecutorTests {
    private func task(_ prompt: String, directory: String) -> ExecutorTask {
        ExecutorTask(
            key: RunKey(taskID: "task_1", runID: "trun_exec", attempt: 1), sessionID: "sess_1", prompt: prompt,
            workingDirectory: directory, environment: ["PATH": "/usr/bin:/bin", "GREETING": "hi"])
    }

    @Test func linesStreamsAndExitCode() async throws {
        let directory = temporaryDirectory()
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "sess_1", taskID: "task_1", runID: "trun_exec", tenantID: "", workspacePath: directory))
        let output = RunOutput(runID: "trun_exec", buffer: buffer)
        let running = try CommandExecutor().start(task("printf 'a\\nb\\n'; echo err >&2; exit 3", directory: directory), output: output)
        let result = await running.result()
        await output.close()

        #expect(!result.success)
        #expect(result.exitCode == 3)
        let lines = await bufferedLines(buffer, run: "trun_exec")
        #expect(lines.map(\.sequence) == Array(1...Int64(lines.count)))
        let system = lines.filter { $0.stream == "system" }
        #expect(system.map(\.content) == ["Command started", "/bin/sh -c printf 'a\\nb\\n'; echo err >&2; exit 3"])
        #expect(Array(lines.prefix(2)) == system)
        let stdout = lines.filter { $0.stream == "stdout" }
        #expect(stdout.map(\.content) == ["a", "b"])
        #expect(stdout.allSatisfy { $0.level == "info" })
        let stderr = lines.filter { $0.stream == "stderr" }
        #expect(stderr.map(\.content) == ["err"])
        #expect(stderr.allSatisfy { $0.level == "error" })
    }

    @Test func successWorkingDirectoryEnvironmentAndStdin() async throws {
        let directory = temporaryDirectory()
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "s", taskID: "t", runID: "trun_exec", tenantID: "", workspacePath: directory))
        let output = RunOutput(runID: "trun_exec", buffer: buffer)
        let running = try CommandExecutor().start(
            task("pwd; echo $GREETING; cat; echo done", directory: directory),
            output: output)
        let result = await running.result()
        await output.close()
        #expect(result.success && result.exitCode == 0)
        let stdout = await bufferedLines(buffer, run: "trun_exec").filter { $0.stream == "stdout" }.map(\.content)
        #expect(stdout == [URL(fileURLWithPath: directory).resolvingSymlinksInPath().path, "hi", "done"])
    }

    @Test func ownProcessGroupAndLongLines() async throws {
        let directory = temporaryDirectory()
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "s", taskID: "t", runID: "trun_exec", tenantID: "", workspacePath: directory))
        let output = RunOutput(runID: "trun_exec", buffer: buffer)
        let running = try CommandExecutor(maxLineBytes: 10).start(
            task("head -c 25 /dev/zero | tr '\\0' x; echo", directory: directory), output: output)
        let group = running.processGroups[0]
        #expect(group > 1 && group != getpgrp())
        _ = await running.result()
        await output.close()
        let stdout = await bufferedLines(buffer, run: "trun_exec").filter { $0.stream == "stdout" }
        #expect(stdout.map(\.content) == ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"])
        #expect(stdout.allSatisfy { $0.metadata["truncated"] == "true" })
    }

    @Test func startFailureIsReported() async {
        let buffer = LogBuffer()
        let output = RunOutput(runID: "x", buffer: buffer)
        #expect(throws: SpawnError.self) {
            _ = try CommandExecutor().start(task("true", directory: "/nonexistent/dir/for/test"), output: output)
        }
        await output.close()
    }
}
