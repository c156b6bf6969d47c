/// The runner's store of log lines not yet acknowledged by the server (runner-protocol.md §9):
/// a `LogLedger` plus its spill files, with change notifications for the uploaders.
///
/// Executors append lines (in order, through `RunOutput`); `LogUploader`s read batches and feed
/// acknowledgements back. Survives reconnects: nothing here depends on a connection.
public actor LogBuffer {
    /// What an uploader sends: a line (wire sequence) or a gap.
    public enum Outgoing: Sendable, Equatable {
        case line(LogLine)
        case gap(first: Int64, last: Int64, reason: String)

        public var last: Int64 {
            switch self {
            case .line(let line): line.sequence
            case .gap(_, let last, _): last
            }
        }
    }

    private var ledger: LogLedger
    private let spill = LogSpillFiles()
    private var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
    private var nextWaiterID = 0
    private var versions: [String: Int] = [:]
    private var droppedLines = 0

    public init(limits: LogLedger.Limits = LogLedger.Limits()) {
        ledger = LogLedger(limits: limits)
    }

    // MARK: Writing

    public func open(_ context: RunLogContext) {
        ledger.open(context)
        notify(context.runID)
    }

    /// Appends a line; returns its local sequence (nil for an unknown run).
    @discardableResult
    public func append(
        to runID: String, stream: String, level: String, content: String, timestampMs: Int64,
        metadata: [String: String] = [:]
    ) -> Int64? {
        let spill = self.spill
        let result = ledger.append(
            to: runID, stream: stream, level: level, content: content, timestampMs: timestampMs,
            metadata: metadata
        ) { context, line in spill.write(line, for: context) }
        if result?.placement == .dropped { droppedLines += 1 }
        notify(runID)
        return result?.line.sequence
    }

    /// Marks the run's output complete; returns its last local sequence.
    @discardableResult
    public func end(_ runID: String) -> Int64? {
        let last = ledger.end(runID)
        notify(runID)
        return last
    }

    /// `TaskCompleted.last_log_sequence`: the last wire sequence of the run. Waits up to `wait`
    /// for the upload to learn the server's numbering (the first answer on `StreamLogs`).
    public func lastWireSequence(of runID: String, wait: Duration = .seconds(5)) async -> Int64 {
        let deadline = ContinuousClock.now.advanced(by: wait)
        while !ledger.isSettled(runID), ContinuousClock.now < deadline {
            await changed(runID, timeout: min(.milliseconds(200), ContinuousClock.now.duration(to: deadline)))
        }
        return ledger.lastWireSequence(of: runID) ?? 0
    }

    // MARK: Uploading

    public func context(of runID: String) -> RunLogContext? { ledger.context(of: runID) }

    public var runsNeedingUpload: [RunLogContext] { ledger.runsNeedingUpload }

    public func needsUpload(_ runID: String) -> Bool { ledger.needsUpload(runID) }

    public func isComplete(_ runID: String) -> Bool { ledger.isComplete(runID) }

    public func isEnded(_ runID: String) -> Bool { ledger.isEnded(runID) }

    /// Lines the ledger could keep nowhere since start (reported as gaps).
    public var droppedLineCount: Int { droppedLines }

    public var memoryUsage: (bytes: Int, lines: Int) { (ledger.memoryBytes, ledger.memoryLines) }

    /// The server's first answer on a new upload stream; returns the wire sequence to resend after.
    public func settle(_ runID: String, serverHighest: Int64) -> Int64 {
        spill.rewind(runID)
        let after = ledger.settle(runID, serverHighest: serverHighest)
        afterAcknowledgement(runID)
        return after
    }

    public func acknowledge(_ runID: String, wireSequence: Int64) {
        ledger.acknowledge(runID, wireSequence: wireSequence)
        afterAcknowledgement(runID)
    }

    /// The next batch after a wire sequence: at most `maxLines` lines and about `maxBytes`.
    public func nextBatch(_ runID: String, afterWire: Int64, maxLines: Int = 100, maxBytes: Int = 3 << 20)
        -> [Outgoing]
    {
        let items = ledger.pending(runID, afterWire: afterWire, maxLines: maxLines, maxBytes: maxBytes)
        guard let context = ledger.context(of: runID) else { return [] }
        let offset = ledger.wireOffset(of: runID)
        var result: [Outgoing] = []
        var bytes = 0
        for item in items {
            if bytes >= maxBytes, !result.isEmpty { break }
            switch item {
            case .line(let line):
                bytes += line.chargedBytes
                result.append(.line(line))
            case .gap(let first, let last, let reason):
                result.append(.gap(first: first, last: last, reason: reason))
            case .spilled(let first, let last):
                let lines = spill.read(
                    for: context, first: first - offset, last: last - offset, maxBytes: max(1, maxBytes - bytes))
                guard !lines.isEmpty else {
                    // The spill file lost these lines (deleted or corrupted): report them.
                    result.append(.gap(first: first, last: last, reason: "log spill file unreadable"))
                    continue
                }
                var expected = first
                for var line in lines {
                    line.sequence += offset
                    if line.sequence > expected {
                        result.append(.gap(first: expected, last: line.sequence - 1, reason: "log spill file unreadable"))
                    }
                    bytes += line.chargedBytes
                    result.append(.line(line))
                    expected = line.sequence + 1
                }
                if bytes < maxBytes, expected <= last {
                    // The file ended early: the rest of the range is unreadable.
                    result.append(.gap(first: expected, last: last, reason: "log spill file unreadable"))
                }
                if bytes >= maxBytes { return result }
            }
        }
        return result
    }

    /// Forgets a run whose upload is complete (after `final=true`).
    public func finish(_ runID: String) {
        guard ledger.isComplete(runID), let context = ledger.context(of: runID) else { return }
        ledger.remove(runID)
        spill.remove(context)
        notify(runID)
    }

    /// Change counter of a run: read it before looking at the run, then wait with
    /// `changed(_:since:timeout:)` so no change in between is missed.
    public func version(of runID: String) -> Int { versions[runID, default: 0] }

    /// Returns at once when the run changed since `version`, else waits like `changed(_:timeout:)`.
    public func changed(_ runID: String, since version: Int, timeout: Duration) async {
        if versions[runID, default: 0] != version { return }
        await changed(runID, timeout: timeout)
    }

    /// Drops a run whose upload the server keeps refusing (unknown run, wrong tenant); its lines
    /// are lost.
    public func discard(_ runID: String) {
        guard let context = ledger.context(of: runID) else { return }
        ledger.end(runID)
        ledger.acknowledge(runID, wireSequence: Int64.max / 2)
        ledger.remove(runID)
        spill.remove(context)
        notify(runID)
    }

    /// Waits until something about the run changes (line, end, acknowledgement) or the timeout.
    public func changed(_ runID: String, timeout: Duration) async {
        let id = nextWaiterID
        nextWaiterID += 1
        let expiry = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.resume(runID, id: id)
        }
        await withCheckedContinuation { continuation in
            waiters[runID, default: [:]][id] = continuation
        }
        expiry.cancel()
    }

    /// Waits until no run needs uploading, at most `timeout`; true when drained.
    public func waitUntilDrained(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            guard let pending = ledger.runsNeedingUpload.first else { return true }
            await changed(pending.runID, timeout: min(.milliseconds(100), ContinuousClock.now.duration(to: deadline)))
        }
        return ledger.runsNeedingUpload.isEmpty
    }

    // MARK: Private

    private func afterAcknowledgement(_ runID: String) {
        if let context = ledger.context(of: runID), !ledger.hasSpilledItems(runID) {
            spill.remove(context)
        }
        notify(runID)
    }

    private func resume(_ runID: String, id: Int) {
        waiters[runID]?.removeValue(forKey: id)?.resume()
    }

    private func notify(_ runID: String) {
        versions[runID, default: 0] &+= 1
        guard let pending = waiters.removeValue(forKey: runID) else { return }
        for continuation in pending.values { continuation.resume() }
    }
}
