import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `marionette-server` binary on loopback ports it picks itself.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process` and the ports are set in init and, when a picked port was taken before
    // the server bound it, once more in `waitUntilReady`, which every test awaits before it uses
    // the server from other tasks; Process itself is thread-safe for the calls made here
    // (terminate, waitUntilExit, terminationStatus).
    private(set) var process: Process
    let dataDir: String
    var apiPort: Int { ports.api }
    var adminPort: Int { ports.admin }
    let logPath: String

    static var buildDir: URL {
        // Tests/EndToEndTests/ServerProcess.swift → repository root → .build/debug
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }

    static func binary(_ name: String) -> String { buildDir.appendingPathComponent(name).path }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func tempDir(_ prefix: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The listener ports of one server; keep them to restart a server in place.
    struct Ports: Sendable {
        var api: Int
        var admin: Int
        var grpc: Int
        var data: Int
        var media: Int

        /// Five different free ports: the kernel can hand out a just-released port again, so two
        /// `freePort()` calls may return the same one (the server then refuses to start).
        init() {
            var picked: [Int] = []
            while picked.count < 5 {
                let port = ServerProcess.freePort()
                if !picked.contains(port) { picked.append(port) }
            }
            (api, admin, grpc, data, media) = (picked[0], picked[1], picked[2], picked[3], picked[4])
        }
    }

    private(set) var ports: Ports
    let environment: [String: String]
    let extraArguments: [String]
    /// Ports picked here (not given): a port another process took between the pick and the
    /// server's bind is picked again (`waitUntilReady`).
    private let portsPicked: Bool
    private var repicks = 0
    /// Where this start's output begins in the log.
    private var logStart: UInt64 = 0

    init(
        dataDir: String? = nil, ports: Ports? = nil, environment: [String: String] = [:],
        extraArguments: [String] = []
    ) throws {
        self.dataDir = dataDir ?? Self.tempDir("e2e")
        self.ports = ports ?? Ports()
        self.portsPicked = ports == nil
        self.environment = environment
        self.extraArguments = extraArguments
        self.logPath = self.dataDir + ".log"
        self.process = Process()
        try start()
    }

    private func start() throws {
        let ports = ports
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary("marionette-server"))
        process.arguments = [
            "--data-dir", self.dataDir, "--api-port", "\(ports.api)", "--admin-port", "\(ports.admin)",
            "--grpc-port", "\(ports.grpc)", "--fabric-data-port", "\(ports.data)", "--media-port", "\(ports.media)",
        ] + extraArguments
        var env = ProcessInfo.processInfo.environment
        env["MARIONETTE_DATABASE_URL"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)
        logStart = log?.seekToEndOfFile() ?? 0
        process.standardOutput = log
        process.standardError = log
        self.process = process
        try process.run()
    }

    /// The picked ports again when this start failed because one of them was taken meanwhile (the
    /// kernel hands out the same ephemeral ports to every outgoing connection on the machine).
    private func repickedAfterPortTaken() throws -> Bool {
        guard portsPicked, repicks < 3, !process.isRunning else { return false }
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return false }
        defer { try? handle.close() }
        try handle.seek(toOffset: logStart)
        let output = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        guard output.contains("Address already in use") else { return false }
        repicks += 1
        ports = Ports()
        try start()
        return true
    }

    /// A new server process on the same data directory and ports (after `stop()` or `kill()`).
    func restarted() throws -> ServerProcess {
        try ServerProcess(dataDir: dataDir, ports: ports, environment: environment, extraArguments: extraArguments)
    }

    /// SIGKILL: no graceful shutdown, as in a crash.
    func kill() {
        guard process.isRunning else { return }
        signalProcess(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var grpcAddress: String { "127.0.0.1:\(ports.grpc)" }

    /// `https` when the server was started with `MARIONETTE_TLS_ENABLED=true` (the test CA signs its certificate).
    var scheme: String { environment["MARIONETTE_TLS_ENABLED"] == "true" ? "https" : "http" }
    var baseURL: String { "\(scheme)://127.0.0.1:\(apiPort)" }
    var adminURL: String { "\(scheme)://127.0.0.1:\(adminPort)" }
    var apiKey: String? {
        (try? String(contentsOfFile: dataDir + "/bootstrap-api-key", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
    var adminPassword: String? {
        (try? String(contentsOfFile: dataDir + "/admin-password", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls `/health` until it answers, the process dies, or 30 s pass.
    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                if try repickedAfterPortTaken() { continue }
                throw E2EError("server exited early:\n\(log)")
            }
            if let status = try? await HTTP.get(baseURL + "/health").status, status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError("server did not become ready within 30 s:\n\(log)")
    }

    /// SIGTERM, then the exit status (SIGKILL after 10 s).
    @discardableResult
    func stop() async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { signalProcess(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        killRunners()
        return process.terminationStatus
    }

    /// Stop for `defer`, where nothing can be awaited: SIGTERM, wait up to 10 s, SIGKILL, then the
    /// runners, on a thread of its own. Waiting here held a cooperative thread for each server's
    /// shutdown (the largest share of the pool's time in the parallel run's first 40 s, sampled
    /// with gdb); the test process waits for these stops before it exits.
    func stopNow() {
        _ = Self.waitForStopsAtExit
        Self.pendingStops.enter()
        Thread { [self] in
            defer { Self.pendingStops.leave() }
            if process.isRunning {
                process.terminate()
                let deadline = Date().addingTimeInterval(10)
                while process.isRunning && Date() < deadline { usleep(20_000) }
                if process.isRunning { signalProcess(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
            }
            killRunners()
        }.start()
    }

    private static let pendingStops = DispatchGroup()
    private static let waitForStopsAtExit: Void = { atexit { ServerProcess.pendingStops.wait() } }()

    /// Local runners outlive their server on purpose (a restarted server picks them up again);
    /// when a test is done with a server, its runners go too.
    func killRunners() {
        _ = try? runBlocking("/usr/bin/pkill", ["-9", "-f", dataDir + "/workspaces"])
    }
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command-line binary to completion and captures its output.
struct CommandResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:], cwd: String? = nil) async throws
    -> CommandResult
{
    try await offPool { try runBlocking(binary, arguments, environment: environment, cwd: cwd) }
}

/// `run` on the calling thread: only for code that cannot await (`defer`, one-time static setup).
func runBlocking(_ binary: String, _ arguments: [String], environment: [String: String] = [:], cwd: String? = nil) throws
    -> CommandResult
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for key in env.keys where key.hasPrefix("MARIONETTE_") { env[key] = nil }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}

/// `kill(2)`, outside the class whose `kill()` method would shadow it.
func signalProcess(_ pid: pid_t, _ signal: Int32) { kill(pid, signal) }

/// A `marionette-agent` started by hand, as an operator starts an external runner; output goes to `logPath`.
final class AgentProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init; Process is thread-safe for terminate/isRunning.
    let process: Process
    let logPath: String

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let workspace = ServerProcess.tempDir("ext-ws")
        logPath = workspace + ".log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary("marionette-agent"))
        process.arguments = arguments + ["--workspace", workspace]
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("MARIONETTE_") { env[key] = nil }
        process.environment = env.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}
