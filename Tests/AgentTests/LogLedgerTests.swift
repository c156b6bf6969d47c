import Testing

@testable import Agent

@Suite struct LogLedgerTests {
    let context = RunLogContext(sessionID: "sess_1", taskID: "task_1", runID: "trun_1", tenantID: "", workspacePath: "/w")

    private func append(_ ledger: inout LogLedger, _ count: Int, run: String = "trun_1", spill: (RunLogContext, LogLine) -> Bool = { _, _ in false })
        -> [LogLedger.Placement]
    {
        (0..<count).map { index in
            ledger.append(to: run, stream: "stdout", level: "info", content: "line \(index)", timestampMs: 1, spill: spill)!.placement
        }
    }

    private func sequences(_ items: [LogLedger.Item]) -> [Int64] {
        items.flatMap { Array($0.first...$0.last) }
    }

    @Test func sequencesStartAtOneAndIncrease() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 3)
        #expect(sequences(ledger.pending("trun_1", afterWire: 0)) == [1, 2, 3])
        #expect(ledger.lastWireSequence(of: "trun_1") == 3)
        #expect(ledger.append(to: "unknown", stream: "stdout", level: "info", content: "x", timestampMs: 0, spill: { _, _ in true }) == nil)
    }

    @Test func ackTrimsMemoryAndCompletesEndedRuns() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 5)
        #expect(ledger.memoryLines == 5)
        let bytesBefore = ledger.memoryBytes
        do { let acked = ledger.acknowledge("trun_1", wireSequence: 3); #expect(!acked) }
        #expect(ledger.memoryLines == 2)
        #expect(ledger.memoryBytes < bytesBefore)
        #expect(sequences(ledger.pending("trun_1", afterWire: 3)) == [4, 5])
        ledger.end("trun_1")
        #expect(!ledger.isComplete("trun_1"))
        do { let acked = ledger.acknowledge("trun_1", wireSequence: 5); #expect(acked) }
        #expect(ledger.isComplete("trun_1"))
        #expect(ledger.memoryLines == 0 && ledger.memoryBytes == 0)
        // Acks never go backwards and never beyond the last line.
        do { let acked = ledger.acknowledge("trun_1", wireSequence: 2); #expect(!acked) }
        do { let acked = ledger.acknowledge("trun_1", wireSequence: 99); #expect(!acked) }
    }

    @Test func resendRangeStartsAfterTheAck() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 250)
        ledger.settle("trun_1", serverHighest: 0)  // first stream: nothing stored yet
        ledger.acknowledge("trun_1", wireSequence: 100)
        // A reconnect: the server says it stored up to 120 (more than it had acknowledged).
        ledger.settle("trun_1", serverHighest: 120)
        #expect(ledger.wireOffset(of: "trun_1") == 0)
        let batch = ledger.pending("trun_1", afterWire: 120, maxLines: 100)
        #expect(sequences(batch) == Array(121...220))
        let rest = ledger.pending("trun_1", afterWire: 220, maxLines: 100)
        #expect(sequences(rest) == Array(221...250))
    }

    @Test func batchesAreBoundedByBytes() {
        var ledger = LogLedger()
        ledger.open(context)
        let big = String(repeating: "x", count: 1000)
        for _ in 0..<10 {
            ledger.append(to: "trun_1", stream: "stdout", level: "info", content: big, timestampMs: 0) { _, _ in false }
        }
        let batch = ledger.pending("trun_1", afterWire: 0, maxLines: 100, maxBytes: 2500)
        #expect(batch.count == 3)  // stops once the byte budget is reached
    }

    @Test func spillsBeyondTheLineBudget() {
        var ledger = LogLedger(limits: .init(maxBytes: 1 << 20, maxLines: 3))
        ledger.open(context)
        var spilled: [Int64] = []
        let placements = append(&ledger, 6) { _, line in
            spilled.append(line.sequence)
            return true
        }
        #expect(placements == [.memory, .memory, .memory, .spilled, .spilled, .spilled])
        #expect(spilled == [4, 5, 6])
        #expect(ledger.pending("trun_1", afterWire: 0).suffix(1) == [.spilled(first: 4, last: 6)])
        #expect(ledger.hasSpilledItems("trun_1"))
        // Acknowledging memory lines frees room: the next line goes to memory again.
        ledger.acknowledge("trun_1", wireSequence: 2)
        #expect(append(&ledger, 1) == [.memory])
        #expect(ledger.pending("trun_1", afterWire: 2) == [
            .line(LogLine(sequence: 3, stream: "stdout", level: "info", content: "line 2", timestampMs: 1)),
            .spilled(first: 4, last: 6),
            .line(LogLine(sequence: 7, stream: "stdout", level: "info", content: "line 0", timestampMs: 1)),
        ])
        // A partial ack inside the spilled range keeps the rest.
        ledger.acknowledge("trun_1", wireSequence: 4)
        #expect(ledger.pending("trun_1", afterWire: 4).first == .spilled(first: 5, last: 6))
        ledger.acknowledge("trun_1", wireSequence: 6)
        #expect(!ledger.hasSpilledItems("trun_1"))
    }

    @Test func spillsBeyondTheByteBudgetAcrossRuns() {
        let other = RunLogContext(sessionID: "sess_1", taskID: "task_2", runID: "trun_2", tenantID: "", workspacePath: "/w")
        var ledger = LogLedger(limits: .init(maxBytes: 300, maxLines: 1000))
        ledger.open(context)
        ledger.open(other)
        let first = append(&ledger, 3, run: "trun_1") { _, _ in true }
        let second = append(&ledger, 3, run: "trun_2") { _, _ in true }
        #expect(first.contains(.memory) && second.contains(.spilled))
        #expect(ledger.memoryBytes <= 300)
    }

    @Test func gapWhenNeitherMemoryNorDiskCanTakeLines() {
        var ledger = LogLedger(limits: .init(maxBytes: 1 << 20, maxLines: 2))
        ledger.open(context)
        let placements = append(&ledger, 5) { _, _ in false }
        #expect(placements == [.memory, .memory, .dropped, .dropped, .dropped])
        #expect(ledger.pending("trun_1", afterWire: 2) == [.gap(first: 3, last: 5, reason: LogLedger.overflowReason)])
        ledger.end("trun_1")
        // The server acknowledges a gap like lines.
        do { let acked = ledger.acknowledge("trun_1", wireSequence: 5); #expect(acked) }
    }

    @Test func serverBehindItsEarlierAckGetsAGap() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 10)
        ledger.settle("trun_1", serverHighest: 0)
        ledger.acknowledge("trun_1", wireSequence: 8)
        // The server lost lines 6...8 it had acknowledged (restored from an older backup).
        let items = ledger.pending("trun_1", afterWire: 5)
        #expect(items.first == .gap(first: 6, last: 8, reason: LogLedger.lostByServerReason))
        #expect(sequences(Array(items.dropFirst())) == [9, 10])
    }

    @Test func freshRunFollowsLinesStoredByAnEarlierExecution() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 3)
        // Another agent ran this run before a session resume and stored 1...40.
        ledger.settle("trun_1", serverHighest: 40)
        #expect(ledger.wireOffset(of: "trun_1") == 40)
        #expect(sequences(ledger.pending("trun_1", afterWire: 40)) == [41, 42, 43])
        #expect(ledger.lastWireSequence(of: "trun_1") == 43)
        ledger.end("trun_1")
        do { let acked = ledger.acknowledge("trun_1", wireSequence: 43); #expect(acked) }
    }

    @Test func settledRunsKeepTheirNumbering() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 3)
        ledger.settle("trun_1", serverHighest: 0)
        ledger.acknowledge("trun_1", wireSequence: 2)
        // A later stream (reconnect) reporting a higher number does not shift sequences.
        ledger.settle("trun_1", serverHighest: 3)
        #expect(ledger.wireOffset(of: "trun_1") == 0)
        #expect(ledger.pending("trun_1", afterWire: 3).isEmpty)
    }

    @Test func reexecutionInProcessContinuesNumbering() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 4)
        ledger.end("trun_1")
        ledger.settle("trun_1", serverHighest: 0)
        ledger.acknowledge("trun_1", wireSequence: 4)
        ledger.remove("trun_1")
        #expect(!ledger.contains("trun_1"))
        ledger.open(context)
        _ = append(&ledger, 2)
        #expect(sequences(ledger.pending("trun_1", afterWire: 4)) == [5, 6])
        #expect(ledger.isSettled("trun_1"))
    }

    @Test func reopeningAnEndedRunContinues() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 2)
        ledger.end("trun_1")
        ledger.open(context)
        #expect(!ledger.isEnded("trun_1"))
        _ = append(&ledger, 1)
        #expect(ledger.lastWireSequence(of: "trun_1") == 3)
    }

    @Test func runsNeedingUploadListsRunsUntilRemoved() {
        var ledger = LogLedger()
        ledger.open(context)
        _ = append(&ledger, 1)
        #expect(ledger.runsNeedingUpload.map(\.runID) == ["trun_1"])
        ledger.acknowledge("trun_1", wireSequence: 1)
        ledger.end("trun_1")
        // Everything acknowledged but `final` not seen yet: still reopened after a reconnect.
        #expect(ledger.isComplete("trun_1") && ledger.needsUpload("trun_1"))
        ledger.remove("trun_1")
        #expect(ledger.runsNeedingUpload.isEmpty && !ledger.needsUpload("trun_1"))
    }

    /// `pending` finds its start by binary search over memory lines, spilled ranges and gaps:
    /// every resume point gives exactly the sequences after it, in order.
    @Test func pendingFromEveryResumePointOverMixedItems() {
        var ledger = LogLedger(limits: .init(maxBytes: 1 << 20, maxLines: 40))
        ledger.open(context)
        var spillOK = true
        // 40 memory lines, then 30 spilled, then 10 lost (a gap), then 20 spilled again.
        for index in 0..<100 {
            if index == 70 { spillOK = false }
            if index == 80 { spillOK = true }
            _ = ledger.append(to: "trun_1", stream: "stdout", level: "info", content: "l\(index)", timestampMs: 1) { _, _ in spillOK }
        }
        _ = ledger.acknowledge("trun_1", wireSequence: 5)
        for after in Int64(0)...100 {
            let items = ledger.pending("trun_1", afterWire: after, maxLines: 1000)
            // Below the ack (5) the missing range comes first as a gap; then lines, spills, the gap.
            let expected: [Int64] = after >= 100 ? [] : Array((after + 1)...100)
            #expect(sequences(items) == expected, "after \(after)")
        }
    }

    /// Appending keeps the run's buffer uniquely referenced (no copy of the backlog per line):
    /// 100,000 lines must take well under a second, where the copying version took minutes.
    @Test func appendingALongBacklogIsLinear() {
        var ledger = LogLedger()
        ledger.open(context)
        let started = ContinuousClock.now
        for _ in 0..<100_000 {
            _ = ledger.append(to: "trun_1", stream: "stdout", level: "info", content: "x", timestampMs: 1) { _, _ in false }
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(ledger.memoryLines == 100_000)
    }
}
