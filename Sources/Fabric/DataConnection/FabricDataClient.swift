import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOPosix
import ServiceLifecycle

/// Where the agent's data connection stands.
public enum FabricDataClientState: Sendable, Hashable {
    /// ``FabricDataClient/run()`` has not started.
    case idle
    /// Dialing (and probing health); `attempt` counts from 1 since the last successful connection.
    case connecting(attempt: Int)
    /// Connected and the last health probe succeeded.
    case connected
    /// The last attempt failed or the connection dropped; the next attempt starts after `delay`.
    case waitingToReconnect(delay: Duration, reason: String)
    /// ``FabricDataClient/run()`` returned.
    case stopped
}

/// The agent end of the fabric data connection (runner-protocol.md §10.1): keeps one HTTP/2 connection to the
/// server up, probing `GET /v1/health` every 15 s (10 s timeout) and reconnecting with backoff (1 s ×2 up to
/// 60 s, ±20 %, reset after a successful connection) when it drops or a probe fails. Tunnels open their
/// streams with ``openStream(method:path:headers:endStream:configure:)``.
///
/// ``run()`` returns when its task is cancelled (or on a ServiceLifecycle graceful shutdown), closing the
/// connection.
public final class FabricDataClient: Service, Sendable {
    public let configuration: FabricDataClientConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let states = FabricBroadcaster<FabricDataClientState>(current: .idle)
    private let current = NIOLockedValueBox<FabricDataConnection?>(nil)
    private let started = NIOLockedValueBox(false)
    private let onConnection: @Sendable (FabricDataConnection) -> Void

    /// `onConnection` is called with every connection once its health probe passed (tunnels open
    /// their standby streams on it).
    public init(
        configuration: FabricDataClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "marionette.fabric.data.client"),
        onConnection: @escaping @Sendable (FabricDataConnection) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
        self.onConnection = onConnection
    }

    /// The current state.
    public var state: FabricDataClientState {
        self.states.current ?? .idle
    }

    /// State changes, starting with the current state. Each call returns an independent stream; it ends when
    /// ``run()`` returns.
    public func stateUpdates() -> AsyncStream<FabricDataClientState> {
        self.states.subscribe()
    }

    /// The live connection, if connected.
    public var connection: FabricDataConnection? {
        self.current.withLockedValue { $0 }.flatMap { $0.isActive ? $0 : nil }
    }

    /// Whether the data connection is up.
    public var isConnected: Bool { self.connection != nil }

    /// Opens a stream on the live connection (see ``FabricDataConnection/openStream(method:path:headers:endStream:configure:)``);
    /// throws ``FabricDataError/notConnected`` when there is none.
    public func openStream(
        method: String = "POST",
        path: String,
        headers: HPACKHeaders = [:],
        endStream: Bool = false,
        configure: @escaping @Sendable (any Channel) throws -> Void = { _ in }
    ) async throws -> FabricDataStream {
        guard let connection = self.connection else {
            throw FabricDataError.notConnected
        }
        return try await connection.openStream(
            method: method,
            path: path,
            headers: headers,
            endStream: endStream,
            configure: configure
        )
    }

    /// Keeps the connection up until cancelled. One run per instance (a second call throws
    /// ``FabricDataError/alreadyRunning``).
    public func run() async throws {
        let alreadyStarted = self.started.withLockedValue { started in
            defer { started = true }
            return started
        }
        if alreadyStarted {
            throw FabricDataError.alreadyRunning
        }
        await cancelWhenGracefulShutdown {
            await self.reconnectLoop()
        }
    }

    private func publish(_ state: FabricDataClientState) {
        self.states.yield(state)
    }

    private func reconnectLoop() async {
        var backoff = self.configuration.backoff
        var attempt = 0
        let target = ["host": Logger.MetadataValue.string(self.configuration.host), "port": "\(self.configuration.port)"]
        while !Task.isCancelled {
            attempt += 1
            self.publish(.connecting(attempt: attempt))
            let reason: String
            do {
                let connection = try await FabricDataConnection.connect(
                    configuration: self.configuration,
                    eventLoopGroup: self.group,
                    logger: self.logger
                )
                reason = await withTaskCancellationHandler {
                    await self.serve(connection, onConnected: {
                        backoff.reset()
                        attempt = 0
                    })
                } onCancel: {
                    connection.channel.close(promise: nil)
                }
                await connection.close()
            } catch {
                reason = "connect failed: \(error)"
            }
            if Task.isCancelled { break }
            let delay = backoff.nextDelay()
            self.logger.info(
                "fabric data connection down; reconnecting",
                metadata: target.merging(["reason": "\(reason)", "delay": "\(delay)"]) { $1 }
            )
            self.publish(.waitingToReconnect(delay: delay, reason: reason))
            try? await Task.sleep(for: delay)
        }
        self.publish(.stopped)
        self.states.finish()
    }

    /// Probes health, publishes `.connected`, then supervises until the connection drops or a probe fails.
    /// Returns why it ended.
    private func serve(_ connection: FabricDataConnection, onConnected: () -> Void) async -> String {
        do {
            try await connection.checkHealth(timeout: self.configuration.healthTimeout)
        } catch {
            return "health probe failed: \(error)"
        }
        onConnected()
        self.current.withLockedValue { $0 = connection }
        self.publish(.connected)
        self.logger.info("fabric data connection up", metadata: ["runner_id": "\(self.configuration.runnerID)"])
        self.onConnection(connection)
        defer {
            self.current.withLockedValue { current in
                if current === connection { current = nil }
            }
        }
        let interval = self.configuration.healthInterval
        let timeout = self.configuration.healthTimeout
        return await withTaskGroup(of: String.self) { group in
            group.addTask {
                _ = try? await connection.closeFuture.get()
                if let error = connection.firstError {
                    return "connection closed: \(error)"
                }
                return "connection closed"
            }
            group.addTask {
                while true {
                    do {
                        try await Task.sleep(for: interval)
                    } catch {
                        return "cancelled"
                    }
                    do {
                        try await connection.checkHealth(timeout: timeout)
                    } catch {
                        return "health probe failed: \(error)"
                    }
                }
            }
            let reason = await group.next() ?? "cancelled"
            connection.channel.close(promise: nil)
            group.cancelAll()
            return reason
        }
    }
}
