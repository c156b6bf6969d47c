import Fabric
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The agent must stop with this exit status (first registration refused with UNAUTHENTICATED).
public struct AgentExit: Error, CustomStringConvertible {
    public var status: Int32
    public var description: String
}

/// The runner-side daemon (orchestration.md §3.2): long-lived components built once, then the
/// supervisor loop — dial → `RegisterRunner` → `Connect` → immediate heartbeat → resume log uploads
/// → wait for the stream to end → back off (1 s ×2 up to 60 s, ±20 %, reset after a successful
/// `Connect`) → repeat — until shutdown.
public final class AgentRuntime: Sendable {
    private struct State {
        var runnerID: String?
        /// Some registration attempt got an answer from the server.
        var registrationAnswered = false
        var dataClient: (runnerID: String, task: Task<Void, Never>)?
    }

    public let configuration: AgentConfiguration
    public let capabilities: [String]
    public let sandbox: SandboxEnvironment
    private let logger: Logger
    private let hostname: String
    private let logs: LogBuffer
    /// Internal, not private: tests wait on what it holds while the server is away.
    let outbox: Outbox
    private let handler: CommandHandler
    private let heartbeats: HeartbeatSource
    private let uploads = CurrentUploads()
    private let media: MediaStreams
    private let tunnels: TunnelDialer
    private let shutdownLatch = ShutdownLatch()
    private let state = Mutex(State())

    public init(
        configuration: AgentConfiguration, logger: Logger, hostname: String, environment: [String: String],
        sandbox: SandboxEnvironment, executors: [any TaskExecutor]? = nil
    ) {
        let executors = executors ?? Self.executors(configuration.executors)
        for (agent, gated) in [("claude", configuration.executors.claudePermissionGating), ("codex", configuration.executors.codexPermissionGating)]
        where !gated {
            logger.warning(
                "permission gating is off: every \(agent) tool call runs without asking (executors.\(agent).permission_gating false)")
        }
        self.configuration = configuration
        self.logger = logger
        self.hostname = hostname
        self.sandbox = sandbox
        logs = LogBuffer(
            limits: LogLedger.Limits(maxBytes: configuration.logBufferBytes, maxLines: configuration.logBufferLines))
        outbox = Outbox(capacity: 100) { [logger] event in
            logger.warning("control outbox full; message dropped", metadata: ["message": "\(event)"])
        }
        let uploads = self.uploads
        handler = CommandHandler(
            configuration: CommandHandler.Configuration(
                workspaceBase: configuration.workspaceBase, baseEnvironment: environment,
                permissionWait: configuration.executors.claudePermissionWait),
            logs: logs, events: outbox, executors: executors, logger: logger,
            onRunOpened: { runID in Task { await uploads.runOpened(runID) } })
        media = MediaStreams(
            logger: logger, events: outbox, desktopFactory: DesktopCaptureSource.factory,
            androidFactory: { [logger] in AndroidCaptureSource.factory($0, logger: logger) })
        tunnels = TunnelDialer(
            logger: logger, dialTimeout: TimeAmount(configuration.tunnels.dialTimeout),
            blockedPorts: configuration.tunnels.blockedPorts, standbyCount: configuration.tunnels.standbyStreams)
        heartbeats = HeartbeatSource(handler: handler, workspaceBase: configuration.workspaceBase)
        capabilities = Self.capabilities(executors: executors.map(\.name), sandbox: sandbox)
    }

    /// The executors as `executors.*` configures them.
    public static func executors(_ settings: AgentConfiguration.Executors) -> [any TaskExecutor] {
        [
            CommandExecutor(),
            ClaudeExecutor(
                extraArguments: settings.claudeExtraArguments, binary: settings.claudeBinary,
                permissionGating: settings.claudePermissionGating),
            CodexExecutor(
                sandbox: settings.codexSandbox, binary: settings.codexBinary, permissionGating: settings.codexPermissionGating),
            CustomAgentExecutor(),
        ]
    }

    /// §1.1: protocol features, executors and detected sandbox types.
    public static func capabilities(executors: [String], sandbox: SandboxEnvironment) -> [String] {
        ["logs.ack.v1", "tunnel.data.v1", "media.rpc.v1"] + executors.sorted().map { "agent." + $0 }
            + sandbox.types.map { "sandbox." + $0 }
    }

    /// Starts a graceful shutdown (SIGINT/SIGTERM).
    public func requestShutdown() {
        shutdownLatch.trigger()
    }

    public var isShuttingDown: Bool { shutdownLatch.isTriggered }

    /// Runs until shutdown. Throws `AgentExit` when the agent must stop with another status.
    public func run() async throws {
        logger.info(
            "marionette-agent starting",
            metadata: [
                "version": "\(AgentBuildInfo.version)", "config": "\(configuration.summary)",
                "capabilities": "\(capabilities.joined(separator: ","))", "isolation": "\(sandbox.isolation)",
            ])
        if !configuration.usesTLS, !configuration.server.isLoopback {
            logger.warning(
                "connecting without TLS to a non-loopback server (the server must run with --insecure-fabric)",
                metadata: ["server": "\(configuration.server)"])
        }
        if configuration.tls.enabled, configuration.tls.skipVerify, !configuration.server.isLoopback {
            logger.warning(
                "TLS certificate verification is OFF (--tls-skip-verify); anyone on the path can impersonate the server",
                metadata: ["server": "\(configuration.server)"])
        }
        var backoff = ReconnectBackoff()
        var flushed = false
        while !shutdownLatch.isTriggered {
            let delay: Duration
            do {
                let (outcome, connected) = try await connectOnce()
                if connected { backoff.reset() }
                switch outcome {
                case .shutdown:
                    flushed = true
                    delay = .zero
                case .interrupted:
                    delay = .zero
                case .drain(let after):
                    backoff.reset()
                    delay = after > 0 ? .milliseconds(after) : backoff.nextDelay()
                case .ended:
                    delay = backoff.nextDelay()
                    logger.warning("control stream ended; reconnecting", metadata: ["delay": "\(delay)"])
                }
            } catch let exit as AgentExit {
                await stopEverything()
                throw exit
            } catch {
                delay = backoff.nextDelay()
                logger.warning(
                    "fabric connection failed; reconnecting",
                    metadata: ["error": "\(Self.describe(error))", "delay": "\(delay)", "attempt": "\(backoff.attempt)"])
            }
            if shutdownLatch.isTriggered { break }
            if !(await shutdownLatch.sleep(for: delay)) { break }
        }
        if !flushed {
            // Shut down while disconnected: runs are killed; their unacknowledged lines are lost.
            await media.stopAll()
            await handler.shutdown(grace: .seconds(5))
            let pending = await logs.runsNeedingUpload.count
            if pending > 0 {
                logger.warning("shutting down while disconnected; unacknowledged log lines are lost", metadata: ["runs": "\(pending)"])
            }
        }
        await stopEverything()
        logger.info("marionette-agent stopped")
    }

    // MARK: One connection

    private enum AttemptOutcome: Sendable {
        case ended
        case drain(Int64)
        /// Shut down gracefully while connected (logs flushed).
        case shutdown
        /// Shutdown requested before the connection was up.
        case interrupted
    }

    /// Runs `operation` unless shutdown is requested first (then it is cancelled and nil returned).
    private func untilShutdown<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                await self.shutdownLatch.wait()
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    private final class ConnectedFlag: Sendable {
        let value = Mutex(false)
    }

    private func connectOnce() async throws -> (AttemptOutcome, connected: Bool) {
        let transport = try FabricTransport.makeTransport(configuration)
        let flag = ConnectedFlag()
        let outcome = try await withGRPCClient(transport: transport) { grpc -> AttemptOutcome in
            let client = Marionette_Runner_V1_RunnerService.Client(wrapping: grpc)
            let channel = ControlChannel(
                client: client, configuration: configuration, registration: registrationRequest(), outbox: outbox,
                handler: handler, heartbeats: heartbeats, logger: logger)
            guard let runnerID = try await untilShutdown({ try await self.register(channel) }) else {
                return .interrupted
            }
            let metadata = FabricTransport.metadata(token: configuration.token, runnerID: runnerID)
            let uploader = LogUploader(
                client: client, buffer: logs, runnerID: runnerID, metadata: metadata, logger: logger)
            let runUploads = LogUploads(uploader: uploader, buffer: logs, logger: logger)
            let media = self.media
            let mediaUploader = MediaUploader(client: client, metadata: metadata, logger: logger)
            await handler.attachMedia(media)
            await handler.attachTunnels(tunnels)
            let currentUploads = self.uploads
            let control = Task {
                try await channel.connect(runnerID: runnerID) {
                    flag.value.withLock { $0 = true }
                    self.logger.info("connected to the fabric", metadata: ["runner_id": "\(runnerID)"])
                    await currentUploads.set { runID in await runUploads.start(runID) }
                    await runUploads.startPending()
                    await media.setPublisher { start, source in await mediaUploader.publish(start, source) }
                    self.startDataClient(runnerID: runnerID)
                }
            }
            let first = await firstOf(control: control)
            var outcome: AttemptOutcome
            switch first {
            case .shutdown:
                await gracefulStop(control: control)
                outcome = .shutdown
            case .control(.success(.drain(let after))):
                outcome = .drain(after)
            case .control(.success(.ended)):
                outcome = .ended
            case .control(.failure(let error)):
                await currentUploads.set(nil)
                await runUploads.stopAll()
                if flag.value.withLock({ $0 }) {
                    logger.warning("control stream failed", metadata: ["error": "\(Self.describe(error))"])
                    outcome = .ended
                } else {
                    throw error
                }
            }
            await currentUploads.set(nil)
            await runUploads.stopAll()
            await media.setPublisher(nil)
            return outcome
        }
        return (outcome, flag.value.withLock { $0 })
    }

    private enum First: Sendable {
        case control(Result<ControlOutcome, any Error>)
        case shutdown
    }

    /// Whichever comes first: the end of the control stream or a shutdown request. (Not a task
    /// group: awaiting `control.value` cannot be cancelled, and a group waits for its children.)
    private func firstOf(control: Task<ControlOutcome, any Error>) async -> First {
        let (events, continuation) = AsyncStream.makeStream(of: First.self, bufferingPolicy: .bufferingNewest(2))
        let controlWatcher = Task {
            do { continuation.yield(.control(.success(try await control.value))) } catch {
                continuation.yield(.control(.failure(error)))
            }
        }
        let shutdownWatcher = Task {
            await shutdownLatch.wait()
            if !Task.isCancelled { continuation.yield(.shutdown) }
        }
        var iterator = events.makeAsyncIterator()
        let first = await iterator.next() ?? .shutdown
        shutdownWatcher.cancel()
        _ = controlWatcher  // ends with the control task
        return first
    }

    /// Shutdown while connected (orchestration.md §3.2 step 6): kill the tasks while the control
    /// stream can still report them, let the outbox drain and half-close the control stream (which
    /// stops the heartbeats; cut after 3 s), flush logs for at most 5 s.
    private func gracefulStop(control: Task<ControlOutcome, any Error>) async {
        logger.info("shutting down")
        await media.stopAll()
        await handler.shutdown(grace: .seconds(5))
        // The writer sends what is queued (the killed runs' results), then half-closes.
        await outbox.close()
        let closer = Task {
            try? await Task.sleep(for: .seconds(3))
            control.cancel()
        }
        _ = try? await control.value
        closer.cancel()
        if await !logs.waitUntilDrained(timeout: .seconds(5)) {
            let pending = await logs.runsNeedingUpload.count
            logger.warning("log flush incomplete at shutdown", metadata: ["runs": "\(pending)"])
        }
    }

    private func register(_ channel: ControlChannel<HTTP2ClientTransport.Posix>) async throws -> String {
        do {
            let response = try await channel.register()
            let previous = state.withLock { state -> String? in
                state.registrationAnswered = true
                defer { state.runnerID = response.runnerID }
                return state.runnerID
            }
            logger.info(
                "runner registered",
                metadata: [
                    "runner_id": "\(response.runnerID)", "message": "\(response.message)",
                    "server_version": "\(response.serverVersion)",
                    "changed_id": "\(previous != nil && previous != response.runnerID)",
                ])
            return response.runnerID
        } catch let error as RPCError where error.code == .unauthenticated || error.code == .permissionDenied {
            let first = state.withLock { state -> Bool in
                defer { state.registrationAnswered = true }
                return !state.registrationAnswered
            }
            logger.error("runner token rejected: \(error.message)", metadata: ["code": "\(error.code)"])
            if first, error.code == .unauthenticated {
                throw AgentExit(status: 2, description: "runner token rejected: \(error.message)")
            }
            throw error
        } catch let refused as RegistrationRefused {
            state.withLock { $0.registrationAnswered = true }
            logger.error("registration refused: \(refused.description)")
            throw refused
        }
    }

    private func registrationRequest() -> Marionette_Runner_V1_RegisterRunnerRequest {
        var request = Marionette_Runner_V1_RegisterRunnerRequest()
        request.name = configuration.name
        request.hostname = hostname
        request.token = configuration.token
        request.capabilities = capabilities
        request.sandboxMode = configuration.sandboxMode
        request.sandboxTypes = sandbox.types
        request.poolName = configuration.poolName
        request.labels = configuration.labels
        request.annotations = configuration.annotations
        request.agentVersion = AgentBuildInfo.version
        request.os = AgentBuildInfo.operatingSystem
        request.arch = AgentBuildInfo.architecture
        return request
    }

    // MARK: Data connection

    /// Starts the data connection (§10) once `Connect` succeeded; restarts it when the runner id
    /// changed. It reconnects on its own afterwards.
    private func startDataClient(runnerID: String) {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try FabricTransport.dataTLSContext(configuration.tls)
        } catch {
            logger.error("data connection TLS setup failed", metadata: ["error": "\(error)"])
            return
        }
        let configuration = self.configuration
        let logger = self.logger
        let old = state.withLock { state -> Task<Void, Never>? in
            if let current = state.dataClient, current.runnerID == runnerID { return nil }
            let previous = state.dataClient?.task
            let client = FabricDataClient(
                configuration: FabricDataClientConfiguration(
                    host: configuration.server.host, port: configuration.dataPort, runnerID: runnerID,
                    token: configuration.token, tls: tlsContext),
                logger: logger, onConnection: { [tunnels] in tunnels.connectionUp($0) })
            state.dataClient = (runnerID, Task { try? await client.run() })
            tunnels.setClient(client)
            return previous ?? Task {}
        }
        if let old {
            old.cancel()
            logger.info(
                "data connection started",
                metadata: ["port": "\(configuration.dataPort)", "runner_id": "\(runnerID)"])
        }
    }

    private func stopEverything() async {
        let dataTask = state.withLock { state -> Task<Void, Never>? in
            defer { state.dataClient = nil }
            return state.dataClient?.task
        }
        dataTask?.cancel()
        await dataTask?.value
    }

    static func describe(_ error: any Error) -> String {
        if let rpc = error as? RPCError { return "\(rpc.code): \(rpc.message)" }
        return "\(error)"
    }
}
