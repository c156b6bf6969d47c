import Core

/// One line as the runner sent it.
public struct IncomingLogLine: Sendable, Equatable {
    public var sequence: Int64
    public var stream: String
    public var level: String
    public var content: String
    public var emittedAt: Timestamp?
    public var metadata: [String: String]

    public init(
        sequence: Int64, stream: String, level: String, content: String, emittedAt: Timestamp? = nil,
        metadata: [String: String] = [:]
    ) {
        self.sequence = sequence
        self.stream = stream
        self.level = level
        self.content = content
        self.emittedAt = emittedAt
        self.metadata = metadata
    }
}

/// The identity a `StreamLogs` call is bound to after `init` was validated.
public struct LogRunContext: Sendable, Equatable {
    public var sessionID: String
    public var taskID: String
    public var runID: String
    public var runnerID: String
    public var tenantID: String?
    public var attempt: Int
}

public struct LogIngestResult: Sendable {
    /// Highest N such that every sequence ≤ N is stored or covered by a gap.
    public var ackedSequence: Int64
    public var stored: [LogRecord]
    public var duplicates: Int
}

public enum LogIngestError: Error, Equatable {
    /// An entry beyond `acked + 1` with no covering gap: the runner must resend from the ack.
    case outOfOrder(expected: Int64, got: Int64)
}

extension Store {
    /// Validates a `StreamLogs` init against the run's row (runner-protocol.md §9).
    public func logRunContext(runID: String, taskID: String, sessionID: String, runnerID: String) async throws
        -> LogRunContext
    {
        try await database.read(.system) { db in
            guard
                let row = try await db.first(
                    "SELECT r.task_id, r.runner_id, r.attempt, r.tenant_id, t.session_id FROM task_runs r "
                        + "JOIN tasks t ON t.id = r.task_id WHERE r.id = ?", [.text(runID)])
            else { throw FabricAuthError.notFound("run \(runID) not found") }
            guard row.string("task_id") == taskID, row.string("session_id") == sessionID,
                row.string("runner_id") == runnerID
            else { throw FabricAuthError.permissionDenied("run \(runID) does not belong to this runner, task and session") }
            return LogRunContext(
                sessionID: sessionID, taskID: taskID, runID: runID, runnerID: runnerID,
                tenantID: row.string("tenant_id"), attempt: row.int("attempt") ?? 1)
        }
    }

    public func storedLogSequence(runID: String) async throws -> Int64 {
        try await database.read(.system) { db in
            try await db.first("SELECT stored_log_sequence FROM task_runs WHERE id = ?", [.text(runID)])?
                .int64("stored_log_sequence") ?? 0
        }
    }

    /// Stores a batch exactly once by (run_id, sequence): lines at or below `stored_log_sequence`
    /// are duplicates; the next accepted line must follow it directly. One transaction per batch.
    public func ingestLogs(
        _ lines: [IncomingLogLine], gaps: [(first: Int64, last: Int64, reason: String)] = [], context: LogRunContext
    ) async throws -> LogIngestResult {
        let now = now()
        return try await database.transaction(.system) { db in
            var acked = try await db.first(
                "SELECT stored_log_sequence FROM task_runs WHERE id = ?", [.text(context.runID)])?
                .int64("stored_log_sequence") ?? 0
            var pendingGaps = gaps.sorted { $0.first < $1.first }
            var stored: [LogRecord] = []
            var duplicates = 0
            var random = BufferedSystemRandom()

            func appendRow(_ line: IncomingLogLine) {
                let id = ID.make(.log, milliseconds: now.milliseconds, using: &random)
                stored.append(
                    LogRecord(
                        id: id, sessionID: context.sessionID, taskID: context.taskID, runID: context.runID,
                        runnerID: context.runnerID, stream: line.stream, level: line.level,
                        content: Self.withoutNUL(line.content), sequence: line.sequence, timestamp: line.emittedAt,
                        metadata: line.metadata.isEmpty ? line.metadata : Self.withoutNUL(line.metadata), createdAt: now,
                        attempt: context.attempt))
            }
            func applyGaps() {
                while let gap = pendingGaps.first, gap.first <= acked + 1 {
                    pendingGaps.removeFirst()
                    guard gap.last > acked else { continue }
                    let lost = gap.last - max(acked, gap.first - 1)
                    acked = gap.last
                    // The gap's last sequence carries the notice, so the sequence space stays unique.
                    appendRow(
                        IncomingLogLine(
                            sequence: gap.last, stream: "system", level: "warn",
                            content: "\(lost) log lines lost (\(gap.reason))", metadata: ["gap": "true"]))
                }
            }
            applyGaps()
            for line in lines.sorted(by: { $0.sequence < $1.sequence }) {
                if line.sequence <= acked {
                    duplicates += 1
                    continue
                }
                guard line.sequence == acked + 1 else { throw LogIngestError.outOfOrder(expected: acked + 1, got: line.sequence) }
                appendRow(line)
                acked = line.sequence
                applyGaps()
            }
            guard !stored.isEmpty else { return LogIngestResult(ackedSequence: acked, stored: [], duplicates: duplicates) }
            if db.dialect == .postgres {
                try await Self.insertUnnested(stored, context: context, now: now, db)
            } else {
                try await Self.insertJSON(stored, context: context, now: now, db)
            }
            try await db.execute(
                "UPDATE task_runs SET stored_log_sequence = ?, updated_at = ? WHERE id = ?",
                [.int(acked), .timestamp(now), .text(context.runID)])
            return LogIngestResult(ackedSequence: acked, stored: stored, duplicates: duplicates)
        }
    }
}

extension Store {
    /// NUL bytes (binary output) as U+FFFD: PostgreSQL refuses NUL in text and JSON (the whole
    /// batch, again on every resend) and SQLite's text functions stop at it.
    static func withoutNUL(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }

    static func withoutNUL(_ labels: [String: String]) -> [String: String] {
        var clean: [String: String] = [:]
        for (key, value) in labels { clean[withoutNUL(key)] = withoutNUL(value) }
        return clean
    }

    /// SQLite: one statement per batch as well, the lines as one JSON array read by `json_each`
    /// (SQLite's counterpart of `unnest`) and the run's constants bound once. Multi-row VALUES
    /// statements of 64 lines spent most of the ingest's time preparing and binding 13 values a line.
    /// `jsonb_each` hands each row's array on as JSONB, which `->>` reads directly; `json_each`
    /// turned it back into text that every `->>` parsed again.
    fileprivate static func insertJSON(_ records: [LogRecord], context: LogRunContext, now: Timestamp, _ db: any SQLExecutor)
        async throws
    {
        var json: [UInt8] = []
        json.reserveCapacity(records.count * 160)
        func string(_ text: String) { JSONStringEscaping.appendQuoted(text, to: &json) }
        json.append(UInt8(ascii: "["))
        for (index, record) in records.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "["))
            string(record.id)
            json.append(UInt8(ascii: ","))
            string(record.stream)
            json.append(UInt8(ascii: ","))
            string(record.level)
            json.append(UInt8(ascii: ","))
            string(record.content)
            json.append(UInt8(ascii: ","))
            json.append(contentsOf: String(record.sequence).utf8)
            json.append(UInt8(ascii: ","))
            if let timestamp = record.timestamp { string(timestamp.rfc3339) } else { json.append(contentsOf: "null".utf8) }
            json.append(UInt8(ascii: ","))
            string(JSONText.encode(record.metadata))
            json.append(UInt8(ascii: "]"))
        }
        json.append(UInt8(ascii: "]"))
        try await db.execute(
            """
            INSERT INTO logs (id, session_id, task_id, run_id, runner_id, stream, level, content, sequence, emitted_at,
              metadata, tenant_id, created_at)
            SELECT value->>0, ?, ?, ?, ?, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, ?, ?
            FROM jsonb_each(?)
            """,
            [
                .text(context.sessionID), .text(context.taskID), .text(context.runID), .text(context.runnerID),
                .optional(context.tenantID), .timestamp(now), .text(String(decoding: json, as: UTF8.self)),
            ])
    }

    /// PostgreSQL: one statement per batch, the per-line columns as arrays through `unnest` and the
    /// run's constants bound once. A multi-row VALUES cost a round trip (and a parse and plan) per
    /// 64 lines.
    fileprivate static func insertUnnested(
        _ records: [LogRecord], context: LogRunContext, now: Timestamp, _ db: any SQLExecutor
    ) async throws {
        var ids: [String] = [], streams: [String] = [], levels: [String] = [], contents: [String] = []
        var sequences: [String] = [], emitted: [String] = [], metadata: [String] = []
        ids.reserveCapacity(records.count)
        streams.reserveCapacity(records.count)
        levels.reserveCapacity(records.count)
        contents.reserveCapacity(records.count)
        sequences.reserveCapacity(records.count)
        emitted.reserveCapacity(records.count)
        metadata.reserveCapacity(records.count)
        for record in records {
            ids.append(record.id)
            streams.append(record.stream)
            levels.append(record.level)
            contents.append(record.content)
            sequences.append(String(record.sequence))
            emitted.append(record.timestamp?.rfc3339 ?? "")
            metadata.append(JSONText.encode(record.metadata))
        }
        try await db.execute(
            """
            INSERT INTO logs (id, session_id, task_id, run_id, runner_id, stream, level, content, sequence, emitted_at,
              metadata, tenant_id, created_at)
            SELECT u.id, ?, ?, ?, ?, u.stream, u.level, u.content, u.seq::bigint, NULLIF(u.emitted, '')::timestamptz,
              u.meta::jsonb, ?, ?
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
              AS u(id, stream, level, content, seq, emitted, meta)
            """,
            [
                .text(context.sessionID), .text(context.taskID), .text(context.runID), .text(context.runnerID),
                .optional(context.tenantID), .timestamp(now), .textArray(ids), .textArray(streams), .textArray(levels),
                .textArray(contents), .textArray(sequences), .textArray(emitted), .textArray(metadata),
            ])
    }
}

extension LogRecord {
    init(
        id: String, sessionID: String, taskID: String, runID: String, runnerID: String, stream: String, level: String,
        content: String, sequence: Int64, timestamp: Timestamp?, metadata: [String: String], createdAt: Timestamp,
        attempt: Int?
    ) {
        self.id = id
        self.sessionID = sessionID
        self.taskID = taskID
        self.runID = runID
        self.runnerID = runnerID
        self.stream = stream
        self.level = level
        self.content = content
        self.sequence = sequence
        self.timestamp = timestamp
        self.metadata = metadata
        self.createdAt = createdAt
        self.attempt = attempt
    }
}
