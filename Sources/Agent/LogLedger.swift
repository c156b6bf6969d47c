/// Bookkeeping of unacknowledged log lines for every run of this runner (runner-protocol.md §9).
///
/// Pure value type: it decides, the owner (`LogBuffer`) does the file I/O. Per run it holds an
/// ordered list of items, each covering a sequence range:
///
/// - `.line`: a line kept in memory;
/// - `.spilled`: lines written to the run's spill file because the memory budget (64 MiB or
///   100,000 lines across all runs) was exhausted;
/// - `.gap`: lines that could be kept neither in memory nor on disk; they are reported to the
///   server with `LogGap` and the server records them as lost.
///
/// Sequences are assigned here: per run from 1, +1 per line, never reused. Numbering is *local*;
/// the wire number is `local + wireOffset`. The offset is 0 except for a run this process has never
/// uploaded whose earlier execution (another agent process, before a session resume) already
/// stored lines: then the server's first answer on `StreamLogs` (its highest stored sequence)
/// becomes the offset so the new lines follow the old ones instead of being dropped as duplicates.
public struct LogLedger: Sendable {
    public struct Limits: Sendable, Equatable {
        public var maxBytes: Int
        public var maxLines: Int

        public init(maxBytes: Int = 64 << 20, maxLines: Int = 100_000) {
            self.maxBytes = maxBytes
            self.maxLines = maxLines
        }
    }

    public enum Item: Sendable, Equatable {
        case line(LogLine)
        case spilled(first: Int64, last: Int64)
        case gap(first: Int64, last: Int64, reason: String)

        public var first: Int64 {
            switch self {
            case .line(let line): line.sequence
            case .spilled(let first, _), .gap(let first, _, _): first
            }
        }

        public var last: Int64 {
            switch self {
            case .line(let line): line.sequence
            case .spilled(_, let last), .gap(_, let last, _): last
            }
        }

        /// The same item restricted to sequences greater than `sequence` (nil when nothing is left).
        func dropping(through sequence: Int64) -> Item? {
            if last <= sequence { return nil }
            if first > sequence { return self }
            switch self {
            case .line: return nil
            case .spilled(_, let last): return .spilled(first: sequence + 1, last: last)
            case .gap(_, let last, let reason): return .gap(first: sequence + 1, last: last, reason: reason)
            }
        }
    }

    /// What `append` did with a line.
    public enum Placement: Sendable, Equatable {
        case memory
        case spilled
        /// Neither memory nor the spill file could take it; it will be reported as a gap.
        case dropped
    }

    public static let overflowReason = "log buffer overflow"
    public static let lostByServerReason = "acknowledged lines no longer held by the runner"

    struct RunState: Sendable {
        var context: RunLogContext
        var nextSequence: Int64
        /// Highest acknowledged local sequence.
        var acked: Int64
        var items: [Item] = []
        var head = 0
        var ended = false
        var offset: Int64 = 0
        /// The offset is known (after the first server answer, or for a run continued in-process).
        var settled = false
        /// First local sequence of this process's numbering for the run.
        var firstSequence: Int64

        var liveItems: ArraySlice<Item> { items[head...] }
        var lastSequence: Int64 { nextSequence - 1 }
    }

    public let limits: Limits
    public private(set) var memoryBytes = 0
    public private(set) var memoryLines = 0
    private var runs: [String: RunState] = [:]
    /// Numbering of finished runs, so a re-execution of the same run (session resume on this
    /// runner) continues after the last sequence instead of restarting at 1.
    private var finished: [String: (next: Int64, offset: Int64)] = [:]
    private var finishedOrder: [String] = []
    private static let finishedCapacity = 256

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    // MARK: Runs

    public var runIDs: [String] { Array(runs.keys) }

    public func context(of runID: String) -> RunLogContext? { runs[runID]?.context }

    public func contains(_ runID: String) -> Bool { runs[runID] != nil }

    /// Starts (or continues) the numbering of a run. Opening a run that has ended but is still
    /// uploading reopens it; opening a finished run continues its numbering.
    public mutating func open(_ context: RunLogContext) {
        if var state = runs[context.runID] {
            state.ended = false
            state.context = context
            runs[context.runID] = state
            return
        }
        if let previous = finished[context.runID] {
            var state = RunState(
                context: context, nextSequence: previous.next, acked: previous.next - 1,
                firstSequence: previous.next)
            state.offset = previous.offset
            state.settled = true
            runs[context.runID] = state
            return
        }
        runs[context.runID] = RunState(context: context, nextSequence: 1, acked: 0, firstSequence: 1)
    }

    /// Appends a line to a run: into memory while the budget allows, else through `spill`
    /// (which returns whether the line was durably written), else as a gap. Returns the line with
    /// its sequence, or nil for an unknown run.
    @discardableResult
    public mutating func append(
        to runID: String, stream: String, level: String, content: String, timestampMs: Int64,
        metadata: [String: String] = [:], spill: (RunLogContext, LogLine) -> Bool
    ) -> (line: LogLine, placement: Placement)? {
        // The run is changed in place through its index: a `var state = runs[runID]` copy shares
        // `items` with the dictionary, so every append copied the whole unacknowledged backlog.
        guard let index = runs.index(forKey: runID) else { return nil }
        let line = LogLine(
            sequence: runs.values[index].nextSequence, stream: stream, level: level, content: content,
            timestampMs: timestampMs, metadata: metadata)
        runs.values[index].nextSequence += 1
        let size = line.chargedBytes
        let placement: Placement
        if memoryLines + 1 <= limits.maxLines, memoryBytes + size <= limits.maxBytes {
            runs.values[index].items.append(.line(line))
            memoryLines += 1
            memoryBytes += size
            placement = .memory
        } else if spill(runs.values[index].context, line) {
            if case .spilled(let first, let last)? = runs.values[index].liveItems.last, last + 1 == line.sequence {
                runs.values[index].items[runs.values[index].items.count - 1] = .spilled(first: first, last: line.sequence)
            } else {
                runs.values[index].items.append(.spilled(first: line.sequence, last: line.sequence))
            }
            placement = .spilled
        } else {
            if case .gap(let first, let last, let reason)? = runs.values[index].liveItems.last, last + 1 == line.sequence {
                runs.values[index].items[runs.values[index].items.count - 1] = .gap(first: first, last: line.sequence, reason: reason)
            } else {
                runs.values[index].items.append(.gap(first: line.sequence, last: line.sequence, reason: Self.overflowReason))
            }
            placement = .dropped
        }
        return (line, placement)
    }

    /// Marks the run's output complete; returns its last local sequence (0 when it wrote nothing).
    @discardableResult
    public mutating func end(_ runID: String) -> Int64? {
        guard var state = runs[runID] else { return nil }
        state.ended = true
        runs[runID] = state
        return state.lastSequence
    }

    /// Last assigned sequence in wire numbering (`TaskCompleted.last_log_sequence`).
    public func lastWireSequence(of runID: String) -> Int64? {
        guard let state = runs[runID] else {
            if let previous = finished[runID] { return previous.next - 1 + previous.offset }
            return nil
        }
        return state.lastSequence + state.offset
    }

    public func wireOffset(of runID: String) -> Int64 { runs[runID]?.offset ?? 0 }

    public func isSettled(_ runID: String) -> Bool { runs[runID]?.settled ?? true }

    public func isEnded(_ runID: String) -> Bool { runs[runID]?.ended ?? true }

    /// Ended and everything acknowledged: the upload can half-close.
    public func isComplete(_ runID: String) -> Bool {
        guard let state = runs[runID] else { return true }
        return state.ended && state.acked >= state.lastSequence
    }

    /// The run still needs a `StreamLogs` call: it has unacknowledged sequences, has not ended, or
    /// its upload has not been closed with `final=true` yet (`remove`).
    public func needsUpload(_ runID: String) -> Bool { runs[runID] != nil }

    /// Runs to (re)open `StreamLogs` for after every reconnect: every run not yet removed.
    public var runsNeedingUpload: [RunLogContext] { runs.values.map(\.context) }

    /// Does the run have any spilled item left (else its spill file can go)?
    public func hasSpilledItems(_ runID: String) -> Bool {
        guard let state = runs[runID] else { return false }
        return state.liveItems.contains { if case .spilled = $0 { true } else { false } }
    }

    /// Forgets a complete run, remembering its numbering.
    public mutating func remove(_ runID: String) {
        guard let state = runs.removeValue(forKey: runID) else { return }
        for item in state.liveItems {
            if case .line(let line) = item { release(line) }
        }
        remember(runID, next: state.nextSequence, offset: state.offset)
    }

    // MARK: Acknowledgements

    /// The server's first answer on a new `StreamLogs` call: its highest contiguous stored
    /// sequence (wire numbering). Fixes the offset of a run never uploaded before, then applies
    /// it as an acknowledgement. Returns the wire sequence after which to resend.
    @discardableResult
    public mutating func settle(_ runID: String, serverHighest: Int64) -> Int64 {
        guard var state = runs[runID] else { return serverHighest }
        if !state.settled {
            state.settled = true
            if serverHighest > 0, state.acked == 0, state.firstSequence == 1 {
                state.offset = serverHighest
            }
            runs[runID] = state
        }
        acknowledge(runID, wireSequence: serverHighest)
        return serverHighest
    }

    /// `acked_sequence` from the server (wire numbering): drops everything up to it. Returns true
    /// when this made the run complete.
    @discardableResult
    public mutating func acknowledge(_ runID: String, wireSequence: Int64) -> Bool {
        // Taken out of the dictionary so `items` is uniquely referenced while it changes.
        guard var state = runs.removeValue(forKey: runID) else { return false }
        defer { runs[runID] = state }
        let local = min(wireSequence - state.offset, state.lastSequence)
        guard local > state.acked else { return false }
        state.acked = local
        while state.head < state.items.count {
            let item = state.items[state.head]
            if let rest = item.dropping(through: local) {
                if rest != item { state.items[state.head] = rest }
                break
            }
            if case .line(let line) = item { release(line) }
            state.head += 1
        }
        if state.head > 64, state.head * 2 > state.items.count {
            state.items.removeFirst(state.head)
            state.head = 0
        }
        return state.ended && state.acked >= state.lastSequence
    }

    /// Items to (re)send after the given wire sequence, in wire numbering, at most `maxLines`
    /// lines/spilled sequences and about `maxBytes` of memory lines (at least one item). When the
    /// server restarts behind what it once acknowledged, the missing range comes first as a gap.
    public func pending(_ runID: String, afterWire wireSequence: Int64, maxLines: Int = 100, maxBytes: Int = 3 << 20)
        -> [Item]
    {
        guard let state = runs[runID] else { return [] }
        let after = wireSequence - state.offset
        var result: [Item] = []
        let floor = state.liveItems.first?.first ?? state.nextSequence
        if after + 1 < floor, after < state.acked {
            let last = min(floor - 1, state.acked)
            result.append(.gap(first: after + 1 + state.offset, last: last + state.offset, reason: Self.lostByServerReason))
        }
        var lines = 0
        var bytes = 0
        // Items are in sequence order: skip the ones already sent by binary search rather than a
        // walk over every unacknowledged line for each batch.
        var low = state.head
        var high = state.items.count
        while low < high {
            let middle = (low + high) / 2
            if state.items[middle].last <= after { low = middle + 1 } else { high = middle }
        }
        for item in state.items[low...] {
            guard let item = item.dropping(through: after) else { continue }
            if lines >= maxLines || (bytes >= maxBytes && !result.isEmpty) { break }
            switch item {
            case .line(var line):
                line.sequence += state.offset
                bytes += line.chargedBytes
                lines += 1
                result.append(.line(line))
            case .spilled(let first, let last):
                let take = min(last - first + 1, Int64(maxLines - lines))
                lines += Int(take)
                result.append(.spilled(first: first + state.offset, last: first + take - 1 + state.offset))
            case .gap(let first, let last, let reason):
                result.append(.gap(first: first + state.offset, last: last + state.offset, reason: reason))
            }
        }
        return result
    }

    // MARK: Private

    private mutating func release(_ line: LogLine) {
        memoryLines -= 1
        memoryBytes -= line.chargedBytes
    }

    private mutating func remember(_ runID: String, next: Int64, offset: Int64) {
        if finished.updateValue((next, offset), forKey: runID) == nil {
            finishedOrder.append(runID)
            if finishedOrder.count > Self.finishedCapacity {
                finished.removeValue(forKey: finishedOrder.removeFirst())
            }
        }
    }
}
