import Testing

@testable import Agent

/// The broker's answers to withdrawn questions (orchestration.md §4.3 `control_cancel_request`).
@Suite struct PermissionBrokerTests {
    static func question(_ id: String) -> PermissionQuestion {
        PermissionQuestion(
            requestID: id, key: RunKey(taskID: "task_1", runID: "trun_1", attempt: 1), sessionID: "sess_1", tool: "Bash",
            action: "rm -rf dist", riskLevel: "critical")
    }

    @Test func aWaitingQuestionWithdrawnIsDeniedAndTheServerToldOfIt() async {
        let sink = RecordingSink()
        let broker = PermissionBroker(events: sink)
        let asked = Task { await broker.ask(Self.question("toolu_1")) }
        _ = await sink.waitFor { if case .permissionRequest = $0 { true } else { false } }
        while await broker.waitingRequestIDs.isEmpty { await Task.yield() }
        let pending = await broker.withdraw("toolu_1", PermissionDecision(approved: false, reason: "withdrawn by the CLI"))
        #expect(pending, "the server had it pending")
        let decision = await asked.value
        #expect(!decision.approved && decision.reason == "withdrawn by the CLI")
    }

    @Test func aQuestionWithdrawnBeforeItArrivesIsDeniedUnsent() async {
        let sink = RecordingSink()
        let broker = PermissionBroker(events: sink)
        let pending = await broker.withdraw("toolu_2", PermissionDecision(approved: false, reason: "withdrawn by the CLI"))
        #expect(!pending, "nothing was sent for it")
        let decision = await broker.ask(Self.question("toolu_2"))
        #expect(!decision.approved && decision.reason == "withdrawn by the CLI")
        try? await Task.sleep(for: .milliseconds(100))
        #expect(sink.all.isEmpty, "no PermissionRequest for a withdrawn question")
        #expect(await broker.waitingRequestIDs.isEmpty)
    }
}
