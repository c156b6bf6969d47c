import Core
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The embedded default (orchestration.md §2.4): each session's runner is a `marionette-agent`
/// child process in its own process group, under bubblewrap when available, with a fresh runner
/// token and the workspace `<data-dir>/workspaces/<workspace id>`.
public actor LocalProvider: RunnerProvider {
    public struct Settings: Sendable {
        public var agentBinary: String
        public var dataDir: String
        /// The gRPC address handed to agents (loopback).
        public var serverAddress: String
        public var dataPort: Int
        /// `bwrap` or `none`.
        public var sandbox: String
        public var maxRunners = 4
        public var environment: [String: String] = [:]

        public init(agentBinary: String, dataDir: String, serverAddress: String, dataPort: Int, sandbox: String) {
            self.agentBinary = agentBinary
            self.dataDir = dataDir
            self.serverAddress = serverAddress
            self.dataPort = dataPort
            self.sandbox = sandbox
        }
    }

    public nonisolated let name = "local"
    private let settings: Settings
    private let store: Store
    private let tokens: RunnerTokenService
    private let logger: Logger
    private var processes: [String: pid_t] = [:]
    public nonisolated let processExits: AsyncStream<RunnerProcessExit>
    private let exitContinuation: AsyncStream<RunnerProcessExit>.Continuation

    public init(settings: Settings, store: Store, tokens: RunnerTokenService, logger: Logger) {
        self.settings = settings
        self.store = store
        self.tokens = tokens
        self.logger = logger
        (processExits, exitContinuation) = AsyncStream.makeStream(of: RunnerProcessExit.self)
    }

    /// `bwrap` when installed, else `none`.
    public static func defaultSandbox() -> String { ProcessSpawner.which("bwrap") != nil ? "bwrap" : "none" }

    /// The agent binary next to this executable.
    public static func agentBesideExecutable() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("marionette-agent").path
    }

    public func spawn(for session: SessionRecord) async throws -> String {
        guard processes.count < settings.maxRunners else { throw ProviderError.atCapacity(settings.maxRunners) }
        guard FileManager.default.isExecutableFile(atPath: settings.agentBinary) else {
            throw ProviderError.spawnFailed("agent binary not found at \(settings.agentBinary)")
        }
        let base = URL(fileURLWithPath: settings.dataDir).standardizedFileURL.path
        let workspaces = base + "/workspaces"
        let workspace = workspaces + "/" + session.workspaceID
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/logs", withIntermediateDirectories: true)
        let sandboxMode = settings.sandbox == "bwrap" ? "runner-is-sandbox" : "none"
        let runnerName = "local-\(session.id.suffix(8).lowercased())-\(Int.random(in: 1000...9999))"
        let runnerID = try await store.createManagedRunner(
            name: runnerName, pool: "local", tenantID: session.tenantID, claimSession: session.id,
            sandboxMode: sandboxMode)
        var request = CreateRunnerTokenRequest(poolName: "local")
        request.tenantID = session.tenantID
        let token = try await tokens.create(request, createdBy: "local-provider", runnerID: runnerID)

        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": workspace,
            "MARIONETTE_SERVER_ADDRESS": settings.serverAddress,
            "MARIONETTE_RUNNER_TOKEN": token.rawToken,
            "MARIONETTE_RUNNER_NAME": runnerName,
            "MARIONETTE_RUNNER_POOL_NAME": "local",
            "MARIONETTE_SANDBOX_MODE": sandboxMode,
            "MARIONETTE_WORKSPACE_BASE_DIR": workspaces,
            "MARIONETTE_LOG_FORMAT": "console",
        ]
        let passthrough = [
            "MARIONETTE_CLAUDE_BIN", "MARIONETTE_CODEX_BIN", "MARIONETTE_ADB", "MARIONETTE_SCRCPY_SERVER", "DISPLAY", "MARIONETTE_HEARTBEAT_INTERVAL",
            "LANG", "TZ", "PULSE_SERVER", "PULSE_SOURCE", "XDG_RUNTIME_DIR",
            "MARIONETTE_TUNNELS_DIAL_TIMEOUT", "MARIONETTE_TUNNELS_BLOCKED_PORTS", "MARIONETTE_TUNNELS_STANDBY_STREAMS",
        ]
        for key in passthrough { if let value = ProcessInfo.processInfo.environment[key] { env[key] = value } }
        for (key, value) in settings.environment { env[key] = value }

        var executable = settings.agentBinary
        var arguments = ["run", "--data-port", String(settings.dataPort)]
        if settings.sandbox == "bwrap", let bwrap = ProcessSpawner.which("bwrap") {
            // The workspace is the only writable place; no --die-with-parent: a server restart
            // must not end running tasks.
            // The agent binary and the tools named by path may live under /tmp (a checkout
            // there): their folders are bound back over the private /tmp, read-only.
            let readOnly = Self.sandboxReadOnlyFolders(agentBinary: settings.agentBinary, environment: env)
            arguments =
                ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
                + readOnly.flatMap { ["--ro-bind", $0, $0] }
                + ["--bind", workspace, workspace, "--unshare-pid", "--chdir", workspace, "--", settings.agentBinary]
                + arguments
            executable = bwrap
        }
        let logPath = base + "/logs/\(runnerID).log"
        let exits = exitContinuation
        let sessionID = session.id
        let pid = try ProcessSpawner.spawn(
            executable: executable, arguments: arguments, environment: env, logPath: logPath,
            onExit: { status in
                exits.yield(RunnerProcessExit(
                    runnerID: runnerID, sessionID: sessionID, status: ProcessSpawner.describe(waitStatus: status),
                    logPath: logPath))
            })
        processes[runnerID] = pid
        try await store.setRunnerInstance(runnerID, providerInstanceID: String(pid))
        logger.info(
            "started local runner",
            metadata: ["runner_id": "\(runnerID)", "session_id": "\(session.id)", "pid": "\(pid)", "sandbox": "\(settings.sandbox)"])
        return runnerID
    }

    public func destroy(runnerID: String) async {
        var pid = processes.removeValue(forKey: runnerID)
        if pid == nil, let row = try? await store.runnerRow(runnerID), row.string("pool_name") == "local",
            let stored = row.string("provider_instance_id").flatMap({ pid_t($0) })
        {
            // Started by an earlier server process (restart): the pid was stored with the row.
            pid = stored
        }
        if let pid { await ProcessSpawner.terminateGroup(pid, grace: .seconds(10)) }
        try? await store.setRunnerInstance(runnerID, providerInstanceID: nil)
        if let tokenID = try? await store.database.read(.system, { db in
            try await db.first("SELECT id FROM runner_tokens WHERE runner_id = ?", [.text(runnerID)])?.string("id")
        }) {
            try? await tokens.revoke(tokenID, reason: "runner destroyed")
        }
    }
}

extension LocalProvider {
    /// Environment variables that name a file a runner's agent executes or reads.
    static let toolPathVariables = ["MARIONETTE_CLAUDE_BIN", "MARIONETTE_CODEX_BIN", "MARIONETTE_ADB", "MARIONETTE_SCRCPY_SERVER"]

    /// Folders the bwrap sandbox binds back read-only over its private /tmp: the agent binary's,
    /// and those of the tools named by path. A path under /tmp brings its whole top-level folder
    /// (`/tmp/checkout/...` → `/tmp/checkout`): a tool may use files beside it (a test double's
    /// helpers, the adb stand-in's simulator). Paths elsewhere are visible through `/` already.
    static func sandboxReadOnlyFolders(agentBinary: String, environment: [String: String]) -> [String] {
        var folders: [String] = []
        var paths = [agentBinary] + toolPathVariables.compactMap { environment[$0] }
        // A PulseAudio socket under /tmp (desktop audio) is bound back too (connecting needs no
        // write); only when its folder exists: bwrap refuses to bind a missing path, and a wrong
        // PULSE_SERVER must fail the stream's audio, not the runner.
        if let pulse = environment["PULSE_SERVER"].map({ $0.hasPrefix("unix:") ? String($0.dropFirst(5)) : $0 }),
            pulse.hasPrefix("/tmp/"), let top = pulse.dropFirst(5).split(separator: "/").first,
            FileManager.default.fileExists(atPath: "/tmp/" + top)
        {
            paths.append(pulse)
        }
        for path in paths where path.hasPrefix("/") {
            let folder: String
            if path.hasPrefix("/tmp/") {
                guard let top = path.dropFirst(5).split(separator: "/").first else { continue }
                folder = "/tmp/" + top
            } else {
                folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            }
            if !folders.contains(folder) { folders.append(folder) }
        }
        return folders
    }
}
