import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orchestrator

/// Where a follow stream writes: NDJSON/SSE over HTTP, or WebSocket frames.
protocol FollowSink {
    mutating func begin() async throws
    /// Lines that are ready together; a sink may send them in one write (one flush).
    mutating func logs(_ records: [LogRecord]) async throws
    mutating func status(_ change: TaskStatusChange) async throws
    mutating func heartbeat() async throws
    mutating func end(task: TaskRecord, run: TaskRunRecord?) async throws
}

/// Follows a task's log (api.md §4.2, §11): subscribes before reading the backlog, then drops live
/// lines already sent, so the hand-over has no gap and no duplicate. A reader that falls behind
/// is moved back to the store. Used by `?follow=true` and the log WebSocket.
struct LogFollow {
    enum Format { case ndjson, sse }

    /// A position in the task's log: lines are ordered by (attempt, sequence).
    struct Position: Comparable {
        var attempt: Int
        var sequence: Int64
        static func < (a: Position, b: Position) -> Bool { (a.attempt, a.sequence) < (b.attempt, b.sequence) }
    }

    let services: GatewayServices
    let taskID: String
    let scope: TenantScope
    let query: LogQuery
    let start: Position
    /// How often a terminal task's completion is re-checked when no event comes (and heartbeats
    /// are considered). The end normally follows the status change or the run's last line at once.
    var tickInterval: Duration = .seconds(1)

    static let heartbeatAfter: Duration = .seconds(15)
    /// Once the task is terminal, lines may still arrive for this long after the run ended or
    /// its stored lines last advanced (a long log keeps uploading after the command exited).
    static let settleMilliseconds: Int64 = 10_000
    /// Lines per catch-up page.
    static let pageSize = 1000

    func response(format: Format) -> Response {
        var headers: HTTPFields = [
            .contentType: format == .sse ? "text/event-stream" : "application/x-ndjson",
            .cacheControl: "no-cache",
        ]
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        let follow = self
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var sink = HTTPFollowSink(writer: writer, format: format)
                try await follow.stream(into: &sink)
                writer = sink.writer
                try await writer.finish(nil)
            })
    }

    private enum Input: Sendable {
        case feed(TaskFeedEvent)
        case feedEnded
        case tick
    }

    func stream(into writer: inout some FollowSink) async throws {
        var position = start
        try await writer.begin()
        var lastWrite = ContinuousClock.now
        // The run's last line, once the task is terminal and that line is still on its way.
        var awaiting: Position?
        outer: while true {
            // A cancelled follow (server shutdown) ends here: its streams would finish at once and
            // the loop would resubscribe forever.
            try Task.checkCancellation()
            let subscription = services.hub.subscribe(taskID: taskID)
            // Bounded like the hub's buffer: a reader that falls behind loses the live feed (the
            // stream finishes) and catches up from the store, instead of growing server memory.
            let (inputs, continuation) = AsyncStream<Input>.makeStream(
                bufferingPolicy: .bufferingOldest(services.hub.bufferLimit))
            let forward = Task {
                for await event in subscription.events {
                    if case .dropped = continuation.yield(.feed(event)) {
                        continuation.finish()
                        return
                    }
                }
                if case .dropped = continuation.yield(.feedEnded) { continuation.finish() }
            }
            let interval = tickInterval
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield(.tick)
                }
            }
            defer {
                forward.cancel()
                ticker.cancel()
                subscription.cancel()
                continuation.finish()
            }
            // Backlog after the resume point, page by page.
            position = try await catchUp(from: position, into: &writer, lastWrite: &lastWrite)
            if try await finishedIfComplete(position: &position, into: &writer, awaiting: &awaiting) { return }
            for await input in inputs {
                switch input {
                case .feed(.logs(let records)):
                    // One write per published batch, not per line.
                    var ready: [LogRecord] = []
                    ready.reserveCapacity(records.count)
                    for record in records where matches(record) {
                        let at = Position(attempt: record.attempt ?? 1, sequence: record.sequence)
                        guard at > position else { continue }
                        // A line beyond the next expected one means we missed some: read the store.
                        if at.attempt == position.attempt && at.sequence > position.sequence + 1
                            && query.levels.isEmpty && query.streams.isEmpty
                        {
                            try await writer.logs(ready)
                            ready.removeAll(keepingCapacity: true)
                            position = try await catchUp(from: position, into: &writer, lastWrite: &lastWrite)
                            if at <= position { continue }
                        }
                        ready.append(record)
                        position = at
                    }
                    if !ready.isEmpty {
                        try await writer.logs(ready)
                        lastWrite = .now
                    }
                    // The last line is here: end now rather than at the next tick.
                    if let last = awaiting, position >= last,
                        try await finishedIfComplete(position: &position, into: &writer, awaiting: &awaiting)
                    {
                        return
                    }
                case .feed(.status(let change)):
                    try await writer.status(change)
                    lastWrite = .now
                    if TaskStatus.isTerminal(change.status),
                        try await finishedIfComplete(position: &position, into: &writer, awaiting: &awaiting)
                    {
                        return
                    }
                case .feedEnded:
                    // Overflowed (or the hub went away): resubscribe and catch up from the store.
                    continue outer
                case .tick:
                    if try await finishedIfComplete(position: &position, into: &writer, awaiting: &awaiting) { return }
                    if ContinuousClock.now - lastWrite >= Self.heartbeatAfter {
                        try await writer.heartbeat()
                        lastWrite = .now
                    }
                }
            }
            // The feed overflowed (only that finishes `inputs` while we read it): catch up.
        }
    }

    private func matches(_ record: LogRecord) -> Bool {
        (query.levels.isEmpty || query.levels.contains(record.level))
            && (query.streams.isEmpty || query.streams.contains(record.stream))
    }

    /// Writes stored lines after `position`; returns the new position. Pages come from
    /// `followLogs` (index range reads, no total count), so a page costs its own size and not the
    /// size of the task's log.
    private func catchUp(from start: Position, into writer: inout some FollowSink, lastWrite: inout ContinuousClock.Instant)
        async throws -> Position
    {
        var position = start
        while true {
            let page = try await services.store.followLogs(
                taskID: taskID, after: (position.attempt, position.sequence), levels: query.levels,
                streams: query.streams, limit: Self.pageSize, scope: scope)
            if let last = page.items.last {
                try await writer.logs(page.items)
                position = Position(attempt: last.attempt ?? 1, sequence: last.sequence)
                lastWrite = .now
            }
            if !page.hasMore { return position }
        }
    }

    /// Ends the stream when the task is terminal and its last run's lines are all stored (up to
    /// the runner's `last_log_sequence`), or when they stopped arriving: 10 s after the run ended
    /// and after the last stored batch (which moves the run's `updated_at`). A run whose upload
    /// still progresses is waited for, so a follower gets every line of a long log.
    ///
    /// When the task is terminal but lines are still uploading, `awaiting` becomes the position of
    /// the run's last line (when the runner announced it): the caller checks again as soon as it
    /// has written that line instead of at the next tick.
    private func finishedIfComplete(
        position: inout Position, into writer: inout some FollowSink, awaiting: inout Position?
    ) async throws -> Bool {
        guard let task = try await services.store.task(taskID, scope: scope), TaskStatus.isTerminal(task.status) else {
            return false
        }
        let run = try await services.store.latestRun(taskID: taskID, scope: scope)
        if let run, !Self.logComplete(run, now: services.store.clock.now()) {
            awaiting = run.lastLogSequence.map { Position(attempt: run.attempt, sequence: $0) }
            return false
        }
        var lastWrite = ContinuousClock.now
        position = try await catchUp(from: position, into: &writer, lastWrite: &lastWrite)
        try await writer.end(task: task, run: run)
        return true
    }

    /// The run's lines are all stored, or no more are expected (see `finishedIfComplete`).
    static func logComplete(_ run: TaskRunRecord, now: Timestamp) -> Bool {
        if let last = run.lastLogSequence, run.storedLogSequence >= last { return true }
        guard let ended = run.endedAt else { return true }
        let quietSince = max(ended.milliseconds, run.updatedAt.milliseconds)
        return now.milliseconds - quietSince >= settleMilliseconds
    }
}

/// NDJSON by default; SSE (`event:`, `id: <run_id>:<sequence>`, `: keepalive`) on request.
struct HTTPFollowSink: FollowSink {
    var writer: any ResponseBodyWriter
    let format: LogFollow.Format
    private var encoder = LogRecordJSON()

    init(writer: any ResponseBodyWriter, format: LogFollow.Format) {
        self.writer = writer
        self.format = format
    }

    mutating func begin() async throws {
        if format == .sse { try await writer.write(ByteBuffer(string: "retry: 2000\n\n")) }
    }

    /// Every record of the batch into one buffer, then one write (one chunk, one flush).
    mutating func logs(_ records: [LogRecord]) async throws {
        guard !records.isEmpty else { return }
        var buffer = ByteBufferAllocator().buffer(capacity: records.count * (format == .sse ? 480 : 400))
        for record in records { append(record, to: &buffer) }
        try await writer.write(buffer)
    }

    /// One record: an NDJSON line, or an SSE event with `id: <run_id>:<sequence>`.
    mutating func append(_ record: LogRecord, to buffer: inout ByteBuffer) {
        if format == .sse {
            buffer.writeStaticString("id: ")
            buffer.writeString(record.runID)
            buffer.writeInteger(UInt8(ascii: ":"))
            LogRecordJSON.writeInteger(record.sequence, into: &buffer)
            buffer.writeStaticString("\nevent: log\ndata: ")
            encoder.write(record, into: &buffer)
            buffer.writeStaticString("\n\n")
        } else {
            encoder.write(record, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
    }

    mutating func status(_ change: TaskStatusChange) async throws {
        try await write(event: "status", id: nil, json: StatusRecord(change))
    }

    mutating func heartbeat() async throws {
        if format == .sse {
            try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
        } else {
            try await write(event: "heartbeat", id: nil, json: Heartbeat())
        }
    }

    mutating func end(task: TaskRecord, run: TaskRunRecord?) async throws {
        try await write(
            event: "end", id: nil, json: EndRecord(taskID: task.id, status: task.status, exitCode: run?.exitCode, error: run?.error))
    }

    private mutating func write(event: String, id: String?, json: some Encodable) async throws {
        let data = try JSONIO.encoder().encode(json)
        var buffer = ByteBufferAllocator().buffer(capacity: data.count + 64)
        if format == .sse {
            if let id { buffer.writeString("id: \(id)\n") }
            buffer.writeString("event: \(event)\ndata: ")
            buffer.writeBytes(data)
            buffer.writeString("\n\n")
        } else {
            buffer.writeBytes(data)
            buffer.writeString("\n")
        }
        try await writer.write(buffer)
    }

    struct StatusRecord: Encodable {
        let change: TaskStatusChange
        init(_ change: TaskStatusChange) { self.change = change }
        enum Key: String, CodingKey { case type }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode("status", forKey: .type)
            try change.encode(to: encoder)
        }
    }

    struct Heartbeat: Encodable {
        let type = "heartbeat"
        let timestamp = SystemWallClock().now()
    }

    struct EndRecord: Encodable {
        let type = "end"
        let taskID: String
        let status: String
        let exitCode: Int?
        let error: String?
        enum CodingKeys: String, CodingKey { case type, taskID = "task_id", status, exitCode = "exit_code", error }
    }
}

enum TaskStatus {
    static func isTerminal(_ status: String) -> Bool { ["completed", "failed", "canceled"].contains(status) }
}
