import Core
import Fabric
import Foundation
import GRPCCore
import Logging
import Synchronization

/// The gRPC `RunnerService` of the fabric (runner-protocol.md §2–§9), over the `RunnerHub`.
public struct RunnerService: Marionette_Runner_V1_RunnerService.ServiceProtocol {
    let hub: RunnerHub
    let store: Store
    let logs: LogHub
    let logger: Logger
    let heartbeatIntervalSeconds: Int
    let mediaSink: (any StreamMediaSink)?
    let metrics: any OrchestratorMetrics
    /// Viewers' input down to the runner, clipboard and cursor up to the viewers.
    let input: StreamInputHub?

    public init(
        hub: RunnerHub, store: Store, logs: LogHub, heartbeatIntervalSeconds: Int, mediaSink: (any StreamMediaSink)? = nil,
        input: StreamInputHub? = nil, metrics: any OrchestratorMetrics = NoOrchestratorMetrics(), logger: Logger
    ) {
        self.mediaSink = mediaSink
        self.input = input
        self.metrics = metrics
        self.hub = hub
        self.store = store
        self.logs = logs
        self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
        self.logger = logger
    }

    static func value(_ metadata: Metadata, _ key: String) -> String? {
        metadata[stringValues: key].first(where: { _ in true })
    }

    static func rpcError(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: return error
        case FabricAuthError.unauthenticated(let m): return RPCError(code: .unauthenticated, message: m)
        case FabricAuthError.permissionDenied(let m): return RPCError(code: .permissionDenied, message: m)
        case FabricAuthError.notFound(let m): return RPCError(code: .notFound, message: m)
        case LogIngestError.outOfOrder(let expected, let got):
            return RPCError(code: .invalidArgument, message: "expected sequence \(expected), got \(got); resend from the ack")
        default: return RPCError(code: .internalError, message: "internal error")
        }
    }

    /// Authenticates a call other than RegisterRunner from its metadata.
    func authenticate(_ metadata: Metadata) async throws -> (String, RunnerTokenRecord) {
        guard let token = Self.value(metadata, "x-runner-token"), let runnerID = Self.value(metadata, "x-runner-id") else {
            throw RPCError(code: .unauthenticated, message: "x-runner-token and x-runner-id metadata are required")
        }
        do {
            return (runnerID, try await hub.authenticate(runnerID: runnerID, token: token))
        } catch {
            throw Self.rpcError(error)
        }
    }

    // MARK: RegisterRunner

    public func registerRunner(
        request: ServerRequest<Marionette_Runner_V1_RegisterRunnerRequest>, context: ServerContext
    ) async throws -> ServerResponse<Marionette_Runner_V1_RegisterRunnerResponse> {
        let body = request.message
        let token = body.token.isEmpty ? (Self.value(request.metadata, "x-runner-token") ?? "") : body.token
        do {
            let (id, message) = try await hub.register(
                token: token,
                RunnerRegistration(
                    name: body.name, hostname: body.hostname.isEmpty ? body.name : body.hostname,
                    capabilities: body.capabilities, sandboxMode: body.sandboxMode, sandboxTypes: body.sandboxTypes,
                    poolName: body.poolName, labels: body.labels, annotations: body.annotations,
                    agentVersion: body.agentVersion, os: body.os, arch: body.arch))
            var response = Marionette_Runner_V1_RegisterRunnerResponse()
            response.runnerID = id
            response.accepted = true
            response.message = message
            response.heartbeatIntervalSeconds = Int32(heartbeatIntervalSeconds)
            response.serverVersion = "0.1.0"
            return ServerResponse(message: response)
        } catch {
            logger.warning("runner registration refused", metadata: ["reason": "\(error)"])
            return ServerResponse(error: Self.rpcError(error))
        }
    }

    // MARK: Connect

    public func connect(
        request: StreamingServerRequest<Marionette_Runner_V1_RunnerMessage>, context: ServerContext
    ) async throws -> StreamingServerResponse<Marionette_Runner_V1_ServerCommand> {
        let runnerID: String
        do {
            (runnerID, _) = try await authenticate(request.metadata)
        } catch let error as RPCError {
            return StreamingServerResponse(error: error)
        }
        let hub = self.hub
        let logger = self.logger
        return StreamingServerResponse { writer in
            let link = ControlLink()
            await hub.connected(runnerID: runnerID, link: link)
            defer { Task { await hub.disconnected(runnerID: runnerID, link: link) } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await command in link.commands { try await writer.write(command) }
                    throw CancellationError()
                }
                group.addTask {
                    for try await message in request.messages {
                        await hub.handle(runnerID: runnerID, message: message)
                    }
                }
                do {
                    try await group.next()
                } catch is CancellationError {
                } catch {
                    logger.debug("control stream ended", metadata: ["runner_id": "\(runnerID)", "error": "\(error)"])
                }
                link.close()
                group.cancelAll()
            }
            return [:]
        }
    }

    // MARK: StreamLogs

    public func streamLogs(
        request: StreamingServerRequest<Marionette_Runner_V1_StreamLogsMessage>, context: ServerContext
    ) async throws -> StreamingServerResponse<Marionette_Runner_V1_StreamLogsResponse> {
        let runnerID: String
        do {
            (runnerID, _) = try await authenticate(request.metadata)
        } catch let error as RPCError {
            return StreamingServerResponse(error: error)
        }
        let store = self.store
        let logs = self.logs
        let metrics = self.metrics
        return StreamingServerResponse { writer in
            var iterator = request.messages.makeAsyncIterator()
            guard let first = try await iterator.next(), case .init_p(let initial) = first.payload else {
                throw RPCError(code: .invalidArgument, message: "the first StreamLogs message must be init")
            }
            guard initial.runnerID.isEmpty || initial.runnerID == runnerID else {
                throw RPCError(code: .permissionDenied, message: "init.runner_id does not match x-runner-id")
            }
            let context: LogRunContext
            do {
                context = try await store.logRunContext(
                    runID: initial.runID, taskID: initial.taskID, sessionID: initial.sessionID, runnerID: runnerID)
            } catch {
                throw Self.rpcError(error)
            }
            guard initial.tenantID == (context.tenantID ?? "") else {
                throw RPCError(code: .permissionDenied, message: "init.tenant_id does not match the runner's tenant")
            }
            var ack = Marionette_Runner_V1_StreamLogsResponse()
            ack.ackedSequence = try await store.storedLogSequence(runID: context.runID)
            try await writer.write(ack)
            // Reading the call and storing run as two tasks joined by a bounded intake, so lines
            // that arrive during a commit go into the next transaction together.
            let intake = LogIntake<LogGapRange>(limitLines: Self.intakeLines, limitBytes: Self.intakeBytes)
            let source = MessageSource(iterator)
            let totals = try await withThrowingTaskGroup(of: LogTotals?.self) { group in
                group.addTask {
                    do {
                        while let message = try await source.next() {
                            var lines: [IncomingLogLine] = []
                            var gaps: [LogGapRange] = []
                            switch message.payload {
                            case .logEntry(let entry): lines.append(try Self.line(entry, context: context))
                            case .batch(let batch):
                                lines.reserveCapacity(batch.entries.count)
                                for entry in batch.entries { lines.append(try Self.line(entry, context: context)) }
                            case .gap(let gap):
                                gaps.append((gap.firstSequence, gap.lastSequence, gap.reason.isEmpty ? "runner buffer overflow" : gap.reason))
                            case .init_p: throw RPCError(code: .invalidArgument, message: "init may only be sent once")
                            case .none: continue
                            }
                            await intake.put(lines: lines, gaps: gaps)
                        }
                        intake.finish()
                    } catch {
                        intake.finish(error)
                    }
                    return nil
                }
                group.addTask {
                    var totals = LogTotals()
                    while let batch = try await intake.take() {
                        totals.received += Int64(batch.lines.count)
                        let result: LogIngestResult
                        do {
                            result = try await store.ingestLogs(batch.lines, gaps: batch.gaps, context: context)
                        } catch {
                            throw Self.rpcError(error)
                        }
                        totals.stored += Int64(result.stored.count)
                        totals.dropped += Int64(result.duplicates)
                        if !result.stored.isEmpty {
                            metrics.logLinesIngested(result.stored.count, bytes: batch.bytes)
                            logs.publish(taskID: context.taskID, .logs(result.stored))
                        }
                        var response = Marionette_Runner_V1_StreamLogsResponse()
                        response.ackedSequence = result.ackedSequence
                        response.logsReceived = totals.received
                        response.logsStored = totals.stored
                        response.logsDropped = totals.dropped
                        try await writer.write(response)
                    }
                    return totals
                }
                do {
                    var totals = LogTotals()
                    while let result = try await group.next() {
                        if let result { totals = result }
                    }
                    return totals
                } catch {
                    // The store side failed: release a reader waiting for room, stop reading.
                    intake.finish(error)
                    group.cancelAll()
                    throw error
                }
            }
            var final = Marionette_Runner_V1_StreamLogsResponse()
            final.final = true
            final.ackedSequence = try await store.storedLogSequence(runID: context.runID)
            final.logsReceived = totals.received
            final.logsStored = totals.stored
            final.logsDropped = totals.dropped
            try await writer.write(final)
            return [:]
        }
    }

    /// Lines waiting to be stored before the reader stops taking messages off the call.
    static let intakeLines = 5000
    static let intakeBytes = 8 << 20

    static func line(_ entry: Marionette_Runner_V1_LogEntry, context: LogRunContext) throws -> IncomingLogLine {
        // Empty ids are the init's (the agent sends none); a different one is refused (§9).
        guard (entry.runID.isEmpty || entry.runID == context.runID) && (entry.taskID.isEmpty || entry.taskID == context.taskID)
            && (entry.sessionID.isEmpty || entry.sessionID == context.sessionID)
            && (entry.runnerID.isEmpty || entry.runnerID == context.runnerID)
            && (entry.tenantID.isEmpty || entry.tenantID == (context.tenantID ?? ""))
        else { throw RPCError(code: .permissionDenied, message: "log entry of another run on this stream") }
        let stream: String
        switch entry.stream {
        case "stdout", "stderr", "system": stream = entry.stream
        default: stream = "stdout"
        }
        let level: String
        switch entry.level {
        case "debug", "info", "warn", "error": level = entry.level
        default: level = "info"
        }
        var content = entry.content
        var metadata = entry.metadata
        if content.utf8.count > 1 << 20 {
            content = String(decoding: content.utf8.prefix(1 << 20), as: UTF8.self)
            metadata["truncated"] = "true"
        }
        return IncomingLogLine(
            sequence: entry.sequence, stream: stream, level: level, content: content,
            emittedAt: entry.timestampUnixMs > 0 ? Timestamp(milliseconds: entry.timestampUnixMs) : nil, metadata: metadata)
    }

    // MARK: Media, status

    /// One RPC per stream (runner-protocol.md §11): `start` first, then frames into the SFU; keyframe
    /// requests from viewers go down. The stream must belong to the calling runner's session.
    public func media(
        request: StreamingServerRequest<Marionette_Runner_V1_MediaUp>, context: ServerContext
    ) async throws -> StreamingServerResponse<Marionette_Runner_V1_MediaDown> {
        let runnerID: String
        do {
            (runnerID, _) = try await authenticate(request.metadata)
        } catch let error as RPCError {
            return StreamingServerResponse(error: error)
        }
        guard let sink = mediaSink else {
            return StreamingServerResponse(error: RPCError(code: .unavailable, message: "this server runs no SFU"))
        }
        let store = self.store
        let logger = self.logger
        let input = self.input
        return StreamingServerResponse { writer in
            var iterator = request.messages.makeAsyncIterator()
            guard let first = try await iterator.next(), case .start(let start) = first.payload else {
                throw RPCError(code: .invalidArgument, message: "the first Media message must be start")
            }
            guard let stream = try await store.stream(start.streamID, scope: .system) else {
                throw RPCError(code: .failedPrecondition, message: "unknown stream \(start.streamID)")
            }
            guard ["pending", "starting", "active", "paused"].contains(stream.state) else {
                throw RPCError(code: .failedPrecondition, message: "stream \(stream.id) is \(stream.state)")
            }
            guard let session = try await store.session(stream.sessionID, scope: .system), session.runnerID == runnerID else {
                throw RPCError(code: .permissionDenied, message: "stream \(stream.id) does not belong to this runner's session")
            }
            // Oldest kept: input events must arrive in order or not at all (a full queue refuses
            // the newest, and the viewer hears about it).
            let (down, continuation) = AsyncStream<Marionette_Runner_V1_MediaDown>.makeStream(bufferingPolicy: .bufferingOldest(256))
            try await sink.open(
                streamID: stream.id, videoCodec: stream.videoCodec ?? "vp8", audio: stream.audio,
                bitrateKbps: stream.bitrateKbps,
                onKeyframeRequest: {
                    var request = Marionette_Runner_V1_KeyframeRequest()
                    request.trackID = "video"
                    request.reason = "pli"
                    var message = Marionette_Runner_V1_MediaDown()
                    message.keyframeRequest = request
                    continuation.yield(message)
                },
                onBitrateTarget: { kbps in
                    var target = Marionette_Runner_V1_BitrateTarget()
                    target.trackID = "video"
                    target.bitrateKbps = Int32(kbps)
                    var message = Marionette_Runner_V1_MediaDown()
                    message.bitrateTarget = target
                    continuation.yield(message)
                })
            logger.info("media started", metadata: ["stream_id": "\(stream.id)", "runner_id": "\(runnerID)"])
            let inputToken = await input?.attachRunner(streamID: stream.id) { message in
                if case .enqueued = continuation.yield(message) { return true }
                return false
            }
            defer {
                // A defer cannot await; the token makes a late detach harmless after a newer call attached.
                if let input, let inputToken {
                    Task { await input.detachRunner(streamID: stream.id, token: inputToken) }
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in down { try await writer.write(message) }
                }
                defer { continuation.finish() }
                do {
                    while let message = try await iterator.next() {
                        switch message.payload {
                        case .frame(let frame) where frame.trackID == "video" || frame.trackID.isEmpty:
                            guard !frame.config else { continue }
                            sink.videoFrame(streamID: stream.id, ptsMicroseconds: frame.ptsUs, keyframe: frame.keyframe, data: frame.data)
                            if frame.width > 0, frame.height > 0 {
                                await input?.broadcast(streamID: stream.id, .resize(width: Int(frame.width), height: Int(frame.height)))
                            }
                        case .frame(let frame) where frame.trackID == "audio":
                            guard !frame.config, stream.audio else { continue }
                            sink.audioFrame(streamID: stream.id, ptsMicroseconds: frame.ptsUs, data: frame.data)
                        case .clipboard(let clipboard):
                            await input?.broadcast(streamID: stream.id, .clipboard(text: clipboard.text))
                        case .cursor(let cursor):
                            await input?.broadcast(
                                streamID: stream.id, .cursor(png: [UInt8](cursor.png), xhot: Int(cursor.xhot), yhot: Int(cursor.yhot)))
                        case .cursorPosition(let position):
                            await input?.broadcast(streamID: stream.id, .cursorPosition(x: Double(position.x), y: Double(position.y)))
                        case .ended(let ended):
                            logger.info(
                                "media ended", metadata: ["stream_id": "\(stream.id)", "reason": "\(ended.reason)", "error": "\(ended.error)"])
                            if !ended.recoverable, !ended.error.isEmpty {
                                _ = try? await store.transitionStream(
                                    stream.id, to: .failed,
                                    extra: [("error_code", .text(ended.reason.isEmpty ? "source_failed" : ended.reason)), ("error", .text(ended.error))],
                                    scope: .system)
                                await input?.broadcast(streamID: stream.id, .state("failed"))
                            }
                        default:
                            continue
                        }
                    }
                } catch {
                    await sink.close(streamID: stream.id)
                    throw error
                }
                await sink.close(streamID: stream.id)
            }
            return [:]
        }
    }

    public func getRunnerStatus(
        request: ServerRequest<Marionette_Runner_V1_GetRunnerStatusRequest>, context: ServerContext
    ) async throws -> ServerResponse<Marionette_Runner_V1_RunnerStatus> {
        let (runnerID, _) = try await authenticate(request.metadata)
        guard request.message.runnerID.isEmpty || request.message.runnerID == runnerID else {
            return ServerResponse(error: RPCError(code: .permissionDenied, message: "a runner may only query itself"))
        }
        var status = Marionette_Runner_V1_RunnerStatus()
        status.runnerID = runnerID
        status.connected = await hub.isConnected(runnerID)
        if let row = try await store.runnerRow(runnerID) {
            status.status = row.string("status") ?? "unknown"
            status.lastSeenUnixMs = row.timestamp("last_seen_at")?.milliseconds ?? 0
            status.sessionID = row.string("claim_session_id") ?? ""
        } else {
            status.status = "unknown"
        }
        return ServerResponse(message: status)
    }
}

typealias LogGapRange = (first: Int64, last: Int64, reason: String)

/// Counters of one `StreamLogs` call.
struct LogTotals: Sendable {
    var received: Int64 = 0
    var stored: Int64 = 0
    var dropped: Int64 = 0
}

/// The call's message iterator, handed to the one task that reads it after `init`.
/// `@unchecked Sendable`: the iterator is not Sendable, but after `init` exactly one child task
/// (the reader in `streamLogs`) calls `next()`, and the parent never touches it again, so it is
/// never used from two tasks at once.
final class MessageSource<Iterator: AsyncIteratorProtocol>: @unchecked Sendable where Iterator.Element: Sendable {
    private var iterator: Iterator
    init(_ iterator: Iterator) { self.iterator = iterator }
    func next() async throws -> Iterator.Element? { try await iterator.next() }
}

/// One runner's outbound command queue, drained by the stream's sender loop. Bounded, for a runner
/// that stops reading; the bound is well above a burst of tunnel connections (each proxied client
/// connection queues an `OpenTunnelConnection` from an event loop faster than the sender runs, and a
/// tunnel may hold 1,000), at ~100 bytes a command.
final class ControlLink: RunnerLink {
    static let capacity = 8192
    let commands: AsyncStream<Marionette_Runner_V1_ServerCommand>
    private let continuation: AsyncStream<Marionette_Runner_V1_ServerCommand>.Continuation
    private let closed = Atomic<Bool>(false)

    init() {
        (commands, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(Self.capacity))
    }

    func send(_ command: Marionette_Runner_V1_ServerCommand) -> Bool {
        guard !closed.load(ordering: .acquiring) else { return false }
        if case .enqueued = continuation.yield(command) { return true }
        return false
    }

    func close() {
        closed.store(true, ordering: .releasing)
        continuation.finish()
    }
}
