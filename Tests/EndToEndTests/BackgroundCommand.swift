import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A long-running command (`mctl tunnels connect`) with stdout and stderr in a file, stopped with
/// SIGINT as a user's Ctrl-C.
final class BackgroundCommand: @unchecked Sendable {
    // @unchecked: `process` and `logPath` are set once in init; Process is thread-safe for the
    // calls made here (interrupt, isRunning, waitUntilExit).
    let process: Process
    let logPath: String

    init(_ binary: String, _ arguments: [String], environment: [String: String]) throws {
        logPath = ServerProcess.tempDir("bg") + "/out.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("MARIONETTE_") { env[key] = nil }
        process.environment = env.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the output contains `text` (true) or the process exits or time runs out (false).
    func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Ctrl-C, then the exit status (SIGKILL if it is still running after 10 s).
    func interrupt() async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
