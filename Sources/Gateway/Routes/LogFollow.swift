import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orchestrator

/// Where a follow stream writes: NDJSON/SSE over HTTP, or WebSocket frames.
protocol FollowSink {
    mutating func begin() async throws
    mutating func log(_ record: LogRecord) async throws
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

    static let heartbeatAfter: Duration = .seconds(15)
    /// Once the task is terminal, lines may still arrive for this long after the run ended.
    static let settleMilliseconds: Int64 = 10_000

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
        outer: while true {
            let subscription = services.hub.subscribe(taskID: taskID)
            let (inputs, continuation) = AsyncStream<Input>.makeStream(bufferingPolicy: .unbounded)
            let forward = Task {
                for await event in subscription.events { continuation.yield(.feed(event)) }
                continuation.yield(.feedEnded)
            }
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
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
            if try await finishedIfComplete(position: &position, into: &writer) { return }
            for await input in inputs {
                switch input {
                case .feed(.logs(let records)):
                    for record in records where matches(record) {
                        let at = Position(attempt: record.attempt ?? 1, sequence: record.sequence)
                        guard at > position else { continue }
                        // A line beyond the next expected one means we missed some: read the store.
                        if at.attempt == position.attempt && at.sequence > position.sequence + 1
                            && query.levels.isEmpty && query.streams.isEmpty
                        {
                            position = try await catchUp(from: position, into: &writer, lastWrite: &lastWrite)
                            if at <= position { continue }
                        }
                        try await writer.log(record)
                        lastWrite = .now
                        position = at
                    }
                case .feed(.status(let change)):
                    try await writer.status(change)
                    lastWrite = .now
                    if TaskStatus.isTerminal(change.status),
                        try await finishedIfComplete(position: &position, into: &writer)
                    {
                        return
                    }
                case .feedEnded:
                    // Overflowed (or the hub went away): resubscribe and catch up from the store.
                    continue outer
                case .tick:
                    if try await finishedIfComplete(position: &position, into: &writer) { return }
                    if ContinuousClock.now - lastWrite >= Self.heartbeatAfter {
                        try await writer.heartbeat()
                        lastWrite = .now
                    }
                }
            }
            return
        }
    }

    private func matches(_ record: LogRecord) -> Bool {
        (query.levels.isEmpty || query.levels.contains(record.level))
            && (query.streams.isEmpty || query.streams.contains(record.stream))
    }

    /// Writes stored lines after `position`; returns the new position.
    private func catchUp(from start: Position, into writer: inout some FollowSink, lastWrite: inout ContinuousClock.Instant)
        async throws -> Position
    {
        var position = start
        var page = query
        page.tail = nil
        page.afterSequence = nil
        page.runID = nil
        page.limit = 1000
        while true {
            page.cursor = (position.attempt, position.sequence)
            let lines = try await services.store.logs(taskID: taskID, query: page, scope: scope)
            for record in lines.items {
                try await writer.log(record)
                position = Position(attempt: record.attempt ?? 1, sequence: record.sequence)
            }
            if !lines.items.isEmpty { lastWrite = .now }
            if !lines.hasMore { return position }
        }
    }

    /// Ends the stream when the task is terminal and its last run's lines are all stored (up to
    /// the runner's `last_log_sequence`, or 10 s after the run ended).
    private func finishedIfComplete(position: inout Position, into writer: inout some FollowSink) async throws
        -> Bool
    {
        guard let task = try await services.store.task(taskID, scope: scope), TaskStatus.isTerminal(task.status) else {
            return false
        }
        let run = try await services.store.latestRun(taskID: taskID, scope: scope)
        if let run {
            let complete = run.lastLogSequence.map { run.storedLogSequence >= $0 } ?? false
            let settled = run.endedAt.map { services.store.clock.now().milliseconds - $0.milliseconds >= Self.settleMilliseconds } ?? true
            guard complete || settled else { return false }
        }
        var lastWrite = ContinuousClock.now
        position = try await catchUp(from: position, into: &writer, lastWrite: &lastWrite)
        try await writer.end(task: task, run: run)
        return true
    }

}

/// NDJSON by default; SSE (`event:`, `id: <run_id>:<sequence>`, `: keepalive`) on request.
struct HTTPFollowSink: FollowSink {
    var writer: any ResponseBodyWriter
    let format: LogFollow.Format

    mutating func begin() async throws {
        if format == .sse { try await writer.write(ByteBuffer(string: "retry: 2000\n\n")) }
    }

    mutating func log(_ record: LogRecord) async throws {
        try await write(event: "log", id: "\(record.runID):\(record.sequence)", json: LogLine(record))
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

    struct LogLine: Encodable {
        let record: LogRecord
        init(_ record: LogRecord) { self.record = record }
        enum Key: String, CodingKey { case type }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode("log", forKey: .type)
            try record.encode(to: encoder)
        }
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
