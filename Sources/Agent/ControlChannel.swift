import Fabric
import GRPCCore
import Logging

/// Registration refused with a body (`accepted=false`).
public struct RegistrationRefused: Error, CustomStringConvertible {
    public var description: String
}

/// How a `Connect` stream ended.
enum ControlOutcome: Sendable, Equatable {
    /// The server closed the stream (or it broke); reconnect with backoff.
    case ended
    /// `Drain`: reconnect after the given delay, not a failure.
    case drain(reconnectAfterMs: Int64)
}

/// `RegisterRunner` and the `Connect` control stream on one gRPC client (runner-protocol.md §3,
/// §4, §5): the request side writes an immediate heartbeat, then drains the outbox and a heartbeat
/// every interval (each write bounded by the heartbeat timeout); the response side hands every
/// command to the command handler in arrival order.
struct ControlChannel<Transport: ClientTransport>: Sendable {
    let client: Marionette_Runner_V1_RunnerService.Client<Transport>
    let configuration: AgentConfiguration
    let registration: Marionette_Runner_V1_RegisterRunnerRequest
    let outbox: Outbox
    let handler: CommandHandler
    let heartbeats: HeartbeatSource
    let logger: Logger

    /// Registers (waiting ≤ 30 s for the connection to become ready) and returns the runner id.
    func register() async throws -> Marionette_Runner_V1_RegisterRunnerResponse {
        var options = CallOptions.defaults
        options.timeout = .seconds(30)
        options.waitForReady = true
        let response = try await client.registerRunner(
            registration, metadata: FabricTransport.metadata(token: configuration.token, runnerID: nil),
            options: options)
        guard response.accepted, !response.runnerID.isEmpty else {
            throw RegistrationRefused(
                description: response.message.isEmpty ? "registration not accepted" : response.message)
        }
        return response
    }

    /// Runs `Connect` until the stream ends. `onConnected` runs once the server accepted the call.
    func connect(runnerID: String, onConnected: @escaping @Sendable () async -> Void) async throws -> ControlOutcome {
        let metadata = FabricTransport.metadata(token: configuration.token, runnerID: runnerID)
        let handler = self.handler
        let logger = self.logger
        return try await client.connect(
            metadata: metadata,
            requestProducer: { writer in try await writeLoop(writer, runnerID: runnerID) },
            onResponse: { response in
                if case .failure(let error) = response.accepted { throw error }
                await onConnected()
                for try await message in response.messages {
                    let command = FabricMapping.command(message)
                    if case .drain(let reason, let delay) = command {
                        logger.info(
                            "server is draining; reconnecting", metadata: ["reason": "\(reason)", "after_ms": "\(delay)"])
                        return .drain(reconnectAfterMs: delay)
                    }
                    await handler.handle(command)
                }
                return .ended
            })
    }

    private func writeLoop(_ writer: RPCWriter<Marionette_Runner_V1_RunnerMessage>, runnerID: String) async throws {
        let timeout = configuration.heartbeatTimeout
        let interval = configuration.heartbeatInterval
        let outbox = self.outbox
        let heartbeats = self.heartbeats
        // Heartbeats queued for an earlier connection are stale; the first one goes out now.
        await outbox.purge { $0.isHeartbeat }
        // ...but after what was queued while disconnected: the server reconciles runs at the first
        // heartbeat, and a run that ended meanwhile is no longer listed as running, so it would be
        // failed as "runner lost run" before its queued TaskCompleted arrived. The snapshot is taken
        // BEFORE the queue is drained: a run that ends while the snapshot is being taken (it samples
        // /proc, slow on a loaded machine) is either still listed or its result is in the drain.
        let firstSnapshot = await heartbeats.snapshot(runnerID: runnerID)
        var queued = await outbox.takeQueued()[...]
        while let event = queued.first {
            do {
                let message = FabricMapping.message(event, runnerID: runnerID)
                try await withTimeout(timeout, "control stream write") { try await writer.write(message) }
                queued = queued.dropFirst()
            } catch {
                for event in queued.reversed() where event.isCritical { await outbox.requeue(event) }
                throw error
            }
        }
        let first = FabricMapping.message(.heartbeat(firstSnapshot), runnerID: runnerID)
        try await withTimeout(timeout, "heartbeat write") { try await writer.write(first) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    await outbox.send(.heartbeat(await heartbeats.snapshot(runnerID: runnerID)))
                }
            }
            group.addTask {
                while let event = await outbox.next() {
                    let message = FabricMapping.message(event, runnerID: runnerID)
                    do {
                        try await withTimeout(timeout, "control stream write") { try await writer.write(message) }
                    } catch {
                        if event.isCritical { await outbox.requeue(event) }
                        throw error
                    }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
