import Fabric
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

@testable import Agent

/// What the fake server saw and stored; survives server restarts (like a database would).
actor FakeFabricState {
    var registrations: [(token: String, request: Marionette_Runner_V1_RegisterRunnerRequest)] = []
    var connectMetadata: [[String: String]] = []
    var logsMetadata: [[String: String]] = []
    var runnerMessages: [Marionette_Runner_V1_RunnerMessage] = []
    /// Per run: stored entries by sequence (the `(run_id, sequence)` unique key).
    var stored: [String: [Int64: Marionette_Runner_V1_LogEntry]] = [:]
    var gaps: [String: [(Int64, Int64)]] = [:]
    var duplicates = 0
    var finals: Set<String> = []
    var protocolViolations: [String] = []
    var rejectRegistration: RPCError.Code?
    /// > 1: acknowledgements lag one batch behind, catching up after 150 ms of quiet (so a crash
    /// loses stored but unacknowledged lines).
    var ackEvery = 1
    private var commands: AsyncStream<Marionette_Runner_V1_ServerCommand>.Continuation?

    func setRejectRegistration(_ code: RPCError.Code?) { rejectRegistration = code }
    func setAckEvery(_ n: Int) { ackEvery = n }
    /// While frozen no acknowledgement is sent (a commit stall).
    var acksFrozen = false
    func freezeAcks(_ frozen: Bool) { acksFrozen = frozen }
    func storedCount(_ runID: String) -> Int { stored[runID]?.count ?? 0 }

    func register(_ request: Marionette_Runner_V1_RegisterRunnerRequest, token: String) { registrations.append((token, request)) }
    func connected(_ metadata: [String: String], commands: AsyncStream<Marionette_Runner_V1_ServerCommand>.Continuation) {
        connectMetadata.append(metadata)
        self.commands?.finish()
        self.commands = commands
    }
    func logsOpened(_ metadata: [String: String]) { logsMetadata.append(metadata) }
    func record(_ message: Marionette_Runner_V1_RunnerMessage) { runnerMessages.append(message) }
    func violation(_ text: String) { protocolViolations.append(text) }

    func send(_ command: Marionette_Runner_V1_ServerCommand) -> Bool {
        guard let commands else { return false }
        if case .enqueued = commands.yield(command) { return true }
        return false
    }

    /// Highest N with every sequence ≤ N stored or covered by a gap.
    func highestContiguous(_ runID: String) -> Int64 {
        let entries = stored[runID] ?? [:]
        let covered = gaps[runID] ?? []
        var next: Int64 = 1
        while true {
            if entries[next] != nil {
                next += 1
            } else if let gap = covered.first(where: { $0.0 <= next && next <= $0.1 }) {
                next = gap.1 + 1
            } else {
                return next - 1
            }
        }
    }

    func store(_ entries: [Marionette_Runner_V1_LogEntry], runID: String) {
        for entry in entries {
            if stored[runID, default: [:]][entry.sequence] != nil {
                duplicates += 1
            } else {
                stored[runID, default: [:]][entry.sequence] = entry
            }
        }
    }

    func storeGap(_ gap: Marionette_Runner_V1_LogGap, runID: String) { gaps[runID, default: []].append((gap.firstSequence, gap.lastSequence)) }

    func markFinal(_ runID: String) { finals.insert(runID) }
    /// Set from `kill()` until the restart: handlers answer nothing more.
    private(set) var killed = false
    func setKilled(_ value: Bool) { killed = value }

    /// A crash: everything received after the last acknowledgement is lost.
    func loseUnacknowledged(_ acked: [String: Int64]) {
        for (runID, entries) in stored {
            let keep = acked[runID] ?? 0
            stored[runID] = entries.filter { $0.key <= keep }
        }
    }

    var lastAcked: [String: Int64] = [:]
    func noteAck(_ runID: String, _ value: Int64) { lastAcked[runID] = max(lastAcked[runID] ?? 0, value) }

    func lines(_ runID: String) -> [Marionette_Runner_V1_LogEntry] {
        (stored[runID] ?? [:]).values.sorted { $0.sequence < $1.sequence }
    }

    func completions() -> [Marionette_Runner_V1_TaskCompleted] {
        runnerMessages.compactMap { if case .taskCompleted(let c)? = $0.payload { c } else { nil } }
    }
}

/// A `RunnerService` that checks the runner protocol rules the agent must follow.
struct FakeFabricService: Marionette_Runner_V1_RunnerService.ServiceProtocol {
    static let token = "rtok_" + String(repeating: "a", count: 40)
    static let runnerID = "run_fake1"
    let state: FakeFabricState

    private static func flatten(_ metadata: Metadata) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in metadata {
            if case .string(let text) = value { result[key] = text }
        }
        return result
    }

    func registerRunner(
        request: ServerRequest<Marionette_Runner_V1_RegisterRunnerRequest>, context: ServerContext
    ) async throws -> ServerResponse<Marionette_Runner_V1_RegisterRunnerResponse> {
        let metadata = Self.flatten(request.metadata)
        await state.register(request.message, token: metadata["x-runner-token"] ?? "")
        if let code = await state.rejectRegistration {
            return ServerResponse(error: RPCError(code: code, message: "invalid runner token"))
        }
        guard metadata["x-runner-token"] == Self.token, request.message.token == Self.token else {
            return ServerResponse(error: RPCError(code: .unauthenticated, message: "invalid runner token"))
        }
        var response = Marionette_Runner_V1_RegisterRunnerResponse()
        response.runnerID = Self.runnerID
        response.accepted = true
        response.message = "runner registered"
        response.heartbeatIntervalSeconds = 30
        return ServerResponse(message: response)
    }

    func connect(
        request: StreamingServerRequest<Marionette_Runner_V1_RunnerMessage>, context: ServerContext
    ) async throws -> StreamingServerResponse<Marionette_Runner_V1_ServerCommand> {
        let metadata = Self.flatten(request.metadata)
        guard metadata["x-runner-token"] == Self.token, metadata["x-runner-id"] == Self.runnerID else {
            return StreamingServerResponse(error: RPCError(code: .unauthenticated, message: "bad credentials"))
        }
        let (commands, continuation) = AsyncStream.makeStream(of: Marionette_Runner_V1_ServerCommand.self)
        await state.connected(metadata, commands: continuation)
        let state = self.state
        return StreamingServerResponse { writer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in request.messages { await state.record(message) }
                }
                group.addTask {
                    for await command in commands { try await writer.write(command) }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
            return [:]
        }
    }

    func streamLogs(
        request: StreamingServerRequest<Marionette_Runner_V1_StreamLogsMessage>, context: ServerContext
    ) async throws -> StreamingServerResponse<Marionette_Runner_V1_StreamLogsResponse> {
        let metadata = Self.flatten(request.metadata)
        guard metadata["x-runner-token"] == Self.token, metadata["x-runner-id"] == Self.runnerID,
            metadata["x-marionette-protocol"] == "1"
        else {
            return StreamingServerResponse(error: RPCError(code: .unauthenticated, message: "bad credentials"))
        }
        await state.logsOpened(metadata)
        let state = self.state
        return StreamingServerResponse { writer in
            // Answers go through one writer task; the reader, and timers standing in for the
            // server's 100 ms commit flush, queue them.
            let (answers, answerQueue) = AsyncStream.makeStream(of: Marionette_Runner_V1_StreamLogsResponse.self)
            let writerTask = Task {
                for await answer in answers { try await writer.write(answer) }
            }
            var runID: String?
            var opened: Marionette_Runner_V1_StreamLogsInit?
            var lagging: Int64 = 0
            var flushTimer: Task<Void, Never>?
            @Sendable func answer(_ runID: String, _ value: Int64? = nil, final: Bool = false) async {
                if await state.acksFrozen, !final { return }
                var response = Marionette_Runner_V1_StreamLogsResponse()
                var acked = value ?? 0
                if value == nil { acked = await state.highestContiguous(runID) }
                response.ackedSequence = acked
                response.final = final
                await state.noteAck(runID, acked)
                answerQueue.yield(response)
            }
            do {
                for try await message in request.messages {
                    switch message.payload {
                    case .init_p(let initMessage):
                        guard runID == nil, initMessage.runnerID == Self.runnerID else {
                            await state.violation("bad or repeated init")
                            throw RPCError(code: .invalidArgument, message: "bad init")
                        }
                        runID = initMessage.runID
                        opened = initMessage
                        await answer(initMessage.runID)
                    case .batch(let batch):
                        guard let runID else { throw RPCError(code: .invalidArgument, message: "init must be first") }
                        var expectedMax = await state.highestContiguous(runID) + 1
                        for entry in batch.entries {
                            // Empty ids are the init's, as the server reads them (runner-protocol.md §9).
                            if (!entry.runID.isEmpty && entry.runID != runID)
                                || (!entry.runnerID.isEmpty && entry.runnerID != Self.runnerID)
                            {
                                await state.violation("entry ids differ from init")
                            }
                            if entry.sequence > expectedMax {
                                await state.violation("entry \(entry.sequence) beyond ack+1 (\(expectedMax))")
                                throw RPCError(code: .invalidArgument, message: "sequence gap")
                            }
                            expectedMax = max(expectedMax, entry.sequence + 1)
                        }
                        await state.store(
                            batch.entries.map { entry in
                                var entry = entry
                                if entry.runID.isEmpty { entry.runID = runID }
                                if entry.runnerID.isEmpty { entry.runnerID = Self.runnerID }
                                if entry.sessionID.isEmpty { entry.sessionID = opened?.sessionID ?? "" }
                                if entry.taskID.isEmpty { entry.taskID = opened?.taskID ?? "" }
                                return entry
                            }, runID: runID)
                        if await state.ackEvery <= 1 {
                            await answer(runID)
                        } else {
                            // Commits lag: acknowledge what was stored one batch ago now, the rest
                            // after a quiet 150 ms.
                            await answer(runID, lagging)
                            lagging = await state.highestContiguous(runID)
                            flushTimer?.cancel()
                            flushTimer = Task {
                                try? await Task.sleep(for: .milliseconds(150))
                                if !Task.isCancelled { await answer(runID) }
                            }
                        }
                    case .gap(let gap):
                        guard let runID else { throw RPCError(code: .invalidArgument, message: "init must be first") }
                        await state.storeGap(gap, runID: runID)
                        await answer(runID)
                    case .logEntry, nil:
                        await state.violation("unexpected message")
                    }
                }
                flushTimer?.cancel()
                // A killed server (this task cancelled) must not answer: its request stream can end
                // without an error then, and a final answer would acknowledge lines the "crash"
                // is about to lose.
                try Task.checkCancellation()
                if await state.killed { throw CancellationError() }
                if let runID {
                    await state.markFinal(runID)
                    await answer(runID, final: true)
                }
            } catch {
                flushTimer?.cancel()
                writerTask.cancel()
                throw error
            }
            answerQueue.finish()
            try await writerTask.value
            return [:]
        }
    }

    func media(
        request: StreamingServerRequest<Marionette_Runner_V1_MediaUp>, context: ServerContext
    ) async throws -> StreamingServerResponse<Marionette_Runner_V1_MediaDown> {
        StreamingServerResponse(error: RPCError(code: .unimplemented, message: "no media"))
    }

    func getRunnerStatus(
        request: ServerRequest<Marionette_Runner_V1_GetRunnerStatusRequest>, context: ServerContext
    ) async throws -> ServerResponse<Marionette_Runner_V1_RunnerStatus> {
        ServerResponse(error: RPCError(code: .unimplemented, message: "no status"))
    }
}

/// A fake fabric server on a loopback port that can be killed and restarted on the same port.
final class FakeFabricServer: Sendable {
    let state = FakeFabricState()
    let port: Int
    /// The serving task and the server, to stop it.
    private let task: MutexBox<Running>

    struct Running: Sendable {
        let task: Task<Void, any Error>
        let server: GRPCServer<HTTP2ServerTransport.Posix>
    }

    init() async throws {
        let (running, port) = try await Self.start(state: state, port: 0)
        self.port = port
        self.task = MutexBox(running)
    }

    private static func start(state: FakeFabricState, port: Int) async throws -> (Running, Int) {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext,
            config: .defaults { config in
                config.http2.targetWindowSize = 4 << 20
                config.http2.maxFrameSize = 1 << 20
                config.connection.keepalive.clientBehavior.allowWithoutCalls = true
                config.connection.keepalive.clientBehavior.minPingIntervalWithoutCalls = .seconds(5)
            })
        let server = GRPCServer(transport: transport, services: [FakeFabricService(state: state)])
        let task = Task { try await server.serve() }
        guard let address = try await transport.listeningAddress.ipv4 else {
            throw RPCError(code: .internalError, message: "no address")
        }
        return (Running(task: task, server: server), address.port)
    }

    /// An abrupt stop: every connection and call is cut, and nothing more is answered.
    ///
    /// The server first stops taking streams (graceful shutdown sends GOAWAY) and only then is its
    /// task cancelled: a stream accepted but not yet handed to the cancelled serving task is never
    /// finished, which NIO's debug builds trap on ("Deinited NIOAsyncWriter without calling
    /// finish()", swift-nio#3481) and which killed a whole test run.
    func kill() async {
        guard let running = task.take() else { return }
        await state.setKilled(true)
        running.server.beginGracefulShutdown()
        try? await Task.sleep(for: .milliseconds(50))
        running.task.cancel()
        _ = await running.task.result
    }

    func restart() async throws {
        await kill()
        var attempts = 0
        while true {
            do {
                // The killed server's handlers are over (kill awaited its task).
                await state.setKilled(false)
                let (running, _) = try await Self.start(state: state, port: port)
                self.task.set(running)
                return
            } catch {
                attempts += 1
                if attempts > 50 { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func send(_ payload: Marionette_Runner_V1_ServerCommand.OneOf_Payload) async -> Bool {
        var command = Marionette_Runner_V1_ServerCommand()
        command.payload = payload
        return await state.send(command)
    }
}

/// A lock-protected optional value shared between tasks.
final class MutexBox<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>
    init(_ value: Value?) { self.value = Mutex(value) }
    func take() -> Value? { value.withLock { current in defer { current = nil }; return current } }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
}
