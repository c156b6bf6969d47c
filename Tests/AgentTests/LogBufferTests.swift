import Foundation
import Testing

@testable import Agent

@Suite struct LogBufferTests {
    @Test func spillFileRoundTripAndRemoval() async throws {
        let workspace = temporaryDirectory()
        let context = RunLogContext(sessionID: "s", taskID: "t", runID: "trun_spill", tenantID: "", workspacePath: workspace)
        let buffer = LogBuffer(limits: .init(maxBytes: 1 << 20, maxLines: 5))
        await buffer.open(context)
        for index in 1...20 {
            await buffer.append(to: "trun_spill", stream: "stdout", level: "info", content: "line \(index)", timestampMs: Int64(index))
        }
        let path = workspace + "/.marionette/state/logs/trun_spill.ndjson"
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(await buffer.memoryUsage.lines == 5)

        var lines = await bufferedLines(buffer, run: "trun_spill")
        #expect(lines.map(\.content) == (1...20).map { "line \($0)" })
        #expect(lines.map(\.sequence) == Array(1...20))

        _ = await buffer.settle("trun_spill", serverHighest: 0)  // first stream
        await buffer.acknowledge("trun_spill", wireSequence: 4)
        // After a reconnect the server has 12: resend starts at 13, read back from the file.
        let after = await buffer.settle("trun_spill", serverHighest: 12)
        let batch = await buffer.nextBatch("trun_spill", afterWire: after)
        lines = batch.compactMap { if case .line(let line) = $0 { line } else { nil } }
        #expect(lines.map(\.sequence) == Array(13...20))

        await buffer.end("trun_spill")
        await buffer.acknowledge("trun_spill", wireSequence: 20)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(await buffer.isComplete("trun_spill"))
        await buffer.finish("trun_spill")
        #expect(await buffer.runsNeedingUpload.isEmpty)
    }

    @Test func unwritableSpillBecomesAGap() async {
        let context = RunLogContext(sessionID: "s", taskID: "t", runID: "trun_gap", tenantID: "", workspacePath: "/proc/no-such-dir")
        let buffer = LogBuffer(limits: .init(maxBytes: 1 << 20, maxLines: 2))
        await buffer.open(context)
        for index in 1...4 {
            await buffer.append(to: "trun_gap", stream: "stdout", level: "info", content: "\(index)", timestampMs: 0)
        }
        let batch = await buffer.nextBatch("trun_gap", afterWire: 0)
        #expect(batch.count == 3)
        #expect(batch.last == .gap(first: 3, last: 4, reason: LogLedger.overflowReason))
        #expect(await buffer.droppedLineCount == 2)
    }

    @Test func waitersWakeOnChange() async {
        let buffer = LogBuffer()
        let context = RunLogContext(sessionID: "s", taskID: "t", runID: "trun_w", tenantID: "", workspacePath: "")
        await buffer.open(context)
        let version = await buffer.version(of: "trun_w")
        let waiter = Task {
            let start = ContinuousClock.now
            await buffer.changed("trun_w", since: version, timeout: .seconds(10))
            return start.duration(to: .now)
        }
        try? await Task.sleep(for: .milliseconds(50))
        await buffer.append(to: "trun_w", stream: "stdout", level: "info", content: "x", timestampMs: 0)
        #expect(await waiter.value < .seconds(5))
        // A change before waiting returns at once.
        await buffer.changed("trun_w", since: version, timeout: .seconds(10))
    }

    @Test func lastWireSequenceWaitsForTheServerNumbering() async {
        let buffer = LogBuffer()
        let context = RunLogContext(sessionID: "s", taskID: "t", runID: "trun_n", tenantID: "", workspacePath: "")
        await buffer.open(context)
        await buffer.append(to: "trun_n", stream: "stdout", level: "info", content: "x", timestampMs: 0)
        await buffer.end("trun_n")
        Task {
            try? await Task.sleep(for: .milliseconds(100))
            _ = await buffer.settle("trun_n", serverHighest: 10)
        }
        #expect(await buffer.lastWireSequence(of: "trun_n", wait: .seconds(5)) == 11)
    }
}

@Suite struct OutboxTests {
    private let key = RunKey(taskID: "t", runID: "r", attempt: 1)

    @Test func fifoAndDropWhenFull() async {
        let dropped = RecordingSink()
        let outbox = Outbox(capacity: 2) { event in Task { await dropped.send(event) } }
        await outbox.send(.taskAccepted(key))
        await outbox.send(.taskStarted(key))
        await outbox.send(.heartbeat(HeartbeatSnapshot(status: "idle", uptimeSeconds: 1)))
        #expect(await outbox.count == 2)
        #expect(await outbox.next() == .taskAccepted(key))
        #expect(await outbox.next() == .taskStarted(key))
        _ = await dropped.waitFor(timeout: .seconds(2)) { $0.isHeartbeat }
        #expect(dropped.all.count == 1)
    }

    @Test func criticalMessagesWaitForSpace() async {
        let outbox = Outbox(capacity: 1)
        await outbox.send(.taskAccepted(key))
        let completion = TaskCompletion(key: key, success: true)
        let sender = Task { await outbox.send(.taskCompleted(completion)) }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(await outbox.count == 1)
        #expect(await outbox.next() == .taskAccepted(key))
        await sender.value
        #expect(await outbox.next() == .taskCompleted(completion))
    }

    @Test func receiverWaitsAndCancels() async {
        let outbox = Outbox()
        let receiver = Task { await outbox.next() }
        try? await Task.sleep(for: .milliseconds(50))
        await outbox.send(.taskStarted(key))
        #expect(await receiver.value == .taskStarted(key))
        let cancelled = Task { await outbox.next() }
        try? await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        #expect(await cancelled.value == nil)
    }

    @Test func purgeAndRequeue() async {
        let outbox = Outbox()
        await outbox.send(.heartbeat(HeartbeatSnapshot(status: "idle", uptimeSeconds: 1)))
        await outbox.send(.taskStarted(key))
        await outbox.purge { $0.isHeartbeat }
        #expect(await outbox.count == 1)
        await outbox.requeue(.taskAccepted(key))
        #expect(await outbox.next() == .taskAccepted(key))
        #expect(await outbox.next() == .taskStarted(key))
    }
}

@Suite struct OutboxCloseTests {
    @Test func closeDrainsThenEnds() async {
        let key = RunKey(taskID: "t", runID: "r", attempt: 1)
        let outbox = Outbox()
        let waiting = Task { await outbox.next() }
        try? await Task.sleep(for: .milliseconds(50))
        await outbox.send(.taskStarted(key))
        #expect(await waiting.value == .taskStarted(key))
        await outbox.send(.taskCompleted(TaskCompletion(key: key, success: true)))
        await outbox.close()
        await outbox.send(.heartbeat(HeartbeatSnapshot(status: "idle", uptimeSeconds: 0)))
        #expect(await outbox.next() == .taskCompleted(TaskCompletion(key: key, success: true)))
        #expect(await outbox.next() == nil)
    }
}
