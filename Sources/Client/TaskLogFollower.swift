/// What the follow loop reports besides records.
public enum LogFollowNotice: Sendable {
    /// The stream dropped (or could not be opened); reconnecting after `delay` seconds.
    case reconnecting(reason: String, delay: Double)
}

extension MarionetteClient {
    /// Follows `GET /tasks/{id}/logs?follow=true` until its `end` record.
    ///
    /// Log records are delivered once each, in order: when the connection
    /// drops before `end`, the loop reconnects with exponential backoff
    /// (1 s → 30 s, ±20 %) and resumes after the last delivered line
    /// (`after_sequence` + `run_id`); failing to reach the server on the first
    /// attempt is thrown instead. Status and end records are delivered
    /// as they come; heartbeats are not. When `query.runID` is set without a
    /// resume point it restricts output to that run. Returns the `end` record.
    public func followTaskLogs(
        _ taskID: String,
        query: LogQuery = LogQuery(),
        backoff initialBackoff: ReconnectBackoff = ReconnectBackoff(),
        onNotice: (LogFollowNotice) -> Void = { _ in },
        onRecord: (JSONValue) async throws -> Void
    ) async throws -> JSONValue {
        var state = LogResumeState(runID: query.runID, sequence: query.afterSequence)
        let restrictRun = query.afterSequence == nil ? query.runID : nil
        var backoff = initialBackoff
        var connectedOnce = false
        let path = Self.taskPath(taskID) + "/logs"
        while true {
            var resumed = state.query(base: query)
            resumed.limit = nil
            let items = resumed.queryItems + [QueryItem("follow", "true")]
            var failure: String
            do {
                let records = try await openNDJSONStream(path, query: items)
                connectedOnce = true
                backoff.reset()
                for try await record in records {
                    switch record["type"]?.stringValue {
                    case "heartbeat":
                        continue
                    case "end":
                        try await onRecord(record)
                        return record
                    case "log", nil:
                        if let restrictRun, let run = record["run_id"]?.stringValue, run != restrictRun { continue }
                        if state.accept(record) { try await onRecord(record) }
                    default:
                        try await onRecord(record)
                    }
                }
                failure = "the stream ended before the task finished"
            } catch let error as APIError where !Self.isRetryable(error) {
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                let mapped = mapTransportError(error)
                if mapped is CancellationError { throw mapped }
                if let apiError = mapped as? APIError, !Self.isRetryable(apiError) { throw apiError }
                // A server that cannot be reached at all is reported, not retried forever.
                if !connectedOnce, mapped is ClientError { throw mapped }
                failure = String(describing: mapped)
            }
            let delay = backoff.nextDelay(random: Double.random(in: -1...1))
            onNotice(.reconnecting(reason: failure, delay: delay))
            try await Task.sleep(for: .seconds(delay))
        }
    }

    /// Server-side and throttling failures are worth a reconnect; client errors are not.
    static func isRetryable(_ error: APIError) -> Bool {
        error.status >= 500 || error.status == 429 || error.status == 408
    }
}
