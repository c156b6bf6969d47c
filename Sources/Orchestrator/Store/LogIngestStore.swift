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
            var rows: [[SQLValue]] = []
            var random = BufferedSystemRandom()

            func appendRow(_ line: IncomingLogLine) {
                let id = ID.make(.log, milliseconds: now.milliseconds, using: &random)
                rows.append([
                    .text(id), .text(context.sessionID), .text(context.taskID), .text(context.runID),
                    .text(context.runnerID), .text(line.stream), .text(line.level), .text(line.content),
                    .int(line.sequence), .optional(line.emittedAt), .labels(line.metadata),
                    .optional(context.tenantID), .timestamp(now),
                ])
                stored.append(
                    LogRecord(
                        id: id, sessionID: context.sessionID, taskID: context.taskID, runID: context.runID,
                        runnerID: context.runnerID, stream: line.stream, level: line.level, content: line.content,
                        sequence: line.sequence, timestamp: line.emittedAt, metadata: line.metadata, createdAt: now,
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
            guard !rows.isEmpty else { return LogIngestResult(ackedSequence: acked, stored: [], duplicates: duplicates) }
            // Multi-row inserts: 13 binds a row, 64 rows a statement (under every engine's bind limit).
            for chunk in stride(from: 0, to: rows.count, by: 64) {
                let slice = rows[chunk..<min(chunk + 64, rows.count)]
                let tuple = "(" + Array(repeating: "?", count: 13).joined(separator: ",") + ")"
                try await db.execute(
                    "INSERT INTO logs (id, session_id, task_id, run_id, runner_id, stream, level, content, sequence, "
                        + "emitted_at, metadata, tenant_id, created_at) VALUES "
                        + Array(repeating: tuple, count: slice.count).joined(separator: ","),
                    slice.flatMap { $0 })
            }
            try await db.execute(
                "UPDATE task_runs SET stored_log_sequence = ?, updated_at = ? WHERE id = ?",
                [.int(acked), .timestamp(now), .text(context.runID)])
            return LogIngestResult(ackedSequence: acked, stored: stored, duplicates: duplicates)
        }
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
