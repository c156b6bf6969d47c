import Testing

@testable import Agent

@Suite struct RunLedgerTests {
    private func key(_ n: Int) -> RunKey { RunKey(taskID: "task_\(n)", runID: "trun_\(n)", attempt: 1) }

    @Test func inFlightAndCompleted() {
        var ledger = RunLedger<TaskCompletion>()
        guard case .new = ledger.disposition(of: "trun_1") else { Issue.record("expected new"); return }
        ledger.begin(key(1), sessionID: "sess_1")
        guard case .inFlight = ledger.disposition(of: "trun_1") else { Issue.record("expected in flight"); return }
        #expect(ledger.running == [key(1)])
        let completion = TaskCompletion(key: key(1), success: true, lastLogSequence: 7)
        ledger.complete("trun_1", with: completion)
        guard case .completed(let stored) = ledger.disposition(of: "trun_1") else { Issue.record("expected completed"); return }
        #expect(stored == completion)
        #expect(ledger.running.isEmpty)
    }

    @Test func keepsTheLast64Completions() {
        var ledger = RunLedger<TaskCompletion>()
        for n in 0..<70 {
            ledger.begin(key(n), sessionID: "s")
            ledger.complete("trun_\(n)", with: TaskCompletion(key: key(n), success: true))
        }
        #expect(ledger.completedCount == 64)
        guard case .new = ledger.disposition(of: "trun_5") else { Issue.record("oldest should be evicted"); return }
        guard case .completed = ledger.disposition(of: "trun_6") else { Issue.record("6th should be kept"); return }
        guard case .completed = ledger.disposition(of: "trun_69") else { Issue.record("newest should be kept"); return }
    }

    @Test func forgottenRunsCanRunAgain() {
        var ledger = RunLedger<TaskCompletion>()
        ledger.begin(key(1), sessionID: "s")
        ledger.forget("trun_1")
        guard case .new = ledger.disposition(of: "trun_1") else { Issue.record("expected new"); return }
        #expect(ledger.running.isEmpty)
    }

    @Test func runningPerSessionInStartOrder() {
        var ledger = RunLedger<TaskCompletion>()
        ledger.begin(key(2), sessionID: "a")
        ledger.begin(key(1), sessionID: "b")
        ledger.begin(key(3), sessionID: "a")
        #expect(ledger.running(inSession: "a") == [key(2), key(3)])
        #expect(ledger.running == [key(2), key(1), key(3)])
    }
}
