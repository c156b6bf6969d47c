import Fabric
import GRPCCore
import Logging

/// One `StreamLogs` call for one run (runner-protocol.md §9): `init`, wait for the server's
/// highest stored sequence, then batches (every 100 ms or 100 lines) from there; acknowledgements
/// trim the `LogBuffer`. When the run has ended and its last line is acknowledged it half-closes
/// and waits for `final=true`.
struct LogUploader<Transport: ClientTransport>: Sendable {
    enum Outcome: Sendable, Equatable {
        /// `final=true` received: the run's upload is complete.
        case finished
        /// The stream ended without `final` (server restart, drain); try again.
        case interrupted
    }

    let client: Marionette_Runner_V1_RunnerService.Client<Transport>
    let buffer: LogBuffer
    let runnerID: String
    let metadata: Metadata
    let logger: Logger
    var flushInterval: Duration = .milliseconds(100)
    var batchLines = 100
    var batchBytes = 3 << 20
    /// How long to wait for the server's first answer after `init`.
    var firstAnswerTimeout: Duration = .seconds(30)
    /// An ended run whose last lines stay unacknowledged this long is resent on a new stream.
    var ackStallTimeout: Duration = .seconds(30)

    func upload(_ context: RunLogContext) async throws -> Outcome {
        let (answers, answered) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .bufferingNewest(1))
        let runID = context.runID
        let buffer = self.buffer
        let runnerID = self.runnerID
        let flushInterval = self.flushInterval
        let batchLines = self.batchLines
        let batchBytes = self.batchBytes
        let firstAnswerTimeout = self.firstAnswerTimeout
        let ackStallTimeout = self.ackStallTimeout
        let logger = self.logger

        return try await client.streamLogs(
            metadata: metadata,
            requestProducer: { writer in
                try await writer.write(FabricMapping.logsInit(context, runnerID: runnerID))
                let start = try await withTimeout(firstAnswerTimeout, "first StreamLogs answer") {
                    var iterator = answers.makeAsyncIterator()
                    guard let first = await iterator.next() else { throw CancellationError() }
                    return first
                }
                var cursor = start
                logger.trace("log upload: stream open", metadata: ["run_id": "\(runID)", "after": "\(start)"])
                var pendingSince: ContinuousClock.Instant?
                var sentAllSince: ContinuousClock.Instant?
                while !Task.isCancelled {
                    let version = await buffer.version(of: runID)
                    let items = await buffer.nextBatch(
                        runID, afterWire: cursor, maxLines: batchLines, maxBytes: batchBytes)
                    if items.isEmpty {
                        pendingSince = nil
                        if await buffer.isComplete(runID) { return }  // half-close
                        if await buffer.isEnded(runID) {
                            // Everything is sent; only acknowledgements are missing. A server that
                            // stops acknowledging gets a fresh stream (resend from its ack).
                            let waitingSince = sentAllSince ?? ContinuousClock.now
                            sentAllSince = waitingSince
                            if waitingSince.duration(to: .now) > ackStallTimeout {
                                throw OperationTimedOut(description: "no acknowledgement for \(ackStallTimeout)")
                            }
                        }
                        await buffer.changed(runID, since: version, timeout: .seconds(5))
                        continue
                    }
                    sentAllSince = nil
                    let lineCount = items.count(where: { if case .line = $0 { true } else { false } })
                    if lineCount < batchLines, await !buffer.isEnded(runID) {
                        // Not a full batch yet: collect for up to the flush interval.
                        let now = ContinuousClock.now
                        let since = pendingSince ?? now
                        pendingSince = since
                        let deadline = since.advanced(by: flushInterval)
                        if now < deadline {
                            await buffer.changed(runID, since: version, timeout: now.duration(to: deadline))
                            continue
                        }
                    }
                    logger.trace(
                        "log upload: sending", metadata: ["run_id": "\(runID)", "items": "\(items.count)", "after": "\(cursor)"])
                    for message in FabricMapping.logMessages(items, context: context, runnerID: runnerID) {
                        try await writer.write(message)
                    }
                    cursor = items.last?.last ?? cursor
                    pendingSince = nil
                }
            },
            onResponse: { response in
                var first = true
                var final = false
                defer { answered.finish() }
                for try await answer in response.messages {
                    if !answer.error.isEmpty {
                        logger.warning(
                            "log upload: server reported an error",
                            metadata: ["run_id": "\(runID)", "error": "\(answer.error)"])
                    }
                    if first {
                        first = false
                        let after = await buffer.settle(runID, serverHighest: answer.ackedSequence)
                        answered.yield(after)
                    } else {
                        await buffer.acknowledge(runID, wireSequence: answer.ackedSequence)
                    }
                    if answer.final { final = true }
                }
                return final ? .finished : .interrupted
            })
    }
}
