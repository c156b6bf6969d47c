/// Questions of running tasks waiting for the operator (orchestration.md §4.3): each waits until
/// `ApprovePermission` names its request id, the run ends, or the wait limit passes; every way
/// out other than an approval is a denial.
public actor PermissionBroker {
    private struct Waiter {
        var runID: String
        var continuation: CheckedContinuation<PermissionDecision, Never>
    }

    private var waiting: [String: Waiter] = [:]
    /// Questions the agent withdrew before they reached the broker: their ask ends at once.
    private var withdrawnEarly: [String: PermissionDecision] = [:]
    private let events: any AgentEventSink
    private let wait: Duration

    public init(events: any AgentEventSink, wait: Duration = .seconds(30 * 60)) {
        self.events = events
        self.wait = wait
    }

    /// Sends the `PermissionRequest` and waits for its answer.
    public func ask(_ question: PermissionQuestion) async -> PermissionDecision {
        let id = question.requestID
        if let withdrawn = withdrawnEarly.removeValue(forKey: id) { return withdrawn }
        if let old = waiting.removeValue(forKey: id) {
            old.continuation.resume(returning: PermissionDecision(approved: false, reason: "asked again"))
        }
        let limit = wait
        let timer = Task { [weak self] in
            try? await Task.sleep(for: limit)
            if Task.isCancelled { return }
            await self?.resolve(id, PermissionDecision(approved: false, reason: "no approval received (waited \(limit))"))
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            waiting[id] = Waiter(runID: question.key.runID, continuation: continuation)
            let events = self.events
            Task { await events.send(.permissionRequest(question)) }
        }
    }

    /// Delivers an answer; false when no task waits for it.
    @discardableResult
    public func resolve(_ requestID: String, _ decision: PermissionDecision) -> Bool {
        guard let waiter = waiting.removeValue(forKey: requestID) else { return false }
        waiter.continuation.resume(returning: decision)
        return true
    }

    /// The agent withdrew `requestID`: a waiting ask ends in `decision` (true: the server has the
    /// question pending); one still on its way here ends in it as soon as it arrives, unsent (false).
    public func withdraw(_ requestID: String, _ decision: PermissionDecision) -> Bool {
        if resolve(requestID, decision) { return true }
        withdrawnEarly[requestID] = decision
        return false
    }

    /// The run ended (or was killed): its questions are denied.
    public func cancel(runID: String, reason: String) {
        for (id, waiter) in waiting where waiter.runID == runID {
            waiting[id] = nil
            waiter.continuation.resume(returning: PermissionDecision(approved: false, reason: reason))
        }
    }

    public var waitingRequestIDs: [String] { Array(waiting.keys) }
}
