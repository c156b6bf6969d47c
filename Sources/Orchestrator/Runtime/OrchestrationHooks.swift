/// What the services tell the runtime after a state change committed, so it can reach runners.
public protocol OrchestrationHooks: Sendable {
    func taskCreated(sessionID: String) async
    func taskCanceled(taskID: String, runnerIDs: [String]) async
    func taskRetried(sessionID: String) async
    func sessionSuspended(sessionID: String, reason: String) async
    func sessionResumed(sessionID: String) async
    func sessionTerminated(sessionID: String) async
    /// A runner-sourced stream was created: its runner should start capture (`StartStream`).
    func streamCreated(streamID: String, sessionID: String) async
    /// A stream was stopped: its runner ends capture (`StopStream`).
    func streamStopped(streamID: String, sessionID: String) async
    /// An operator answered a permission request: deliver it (or resume its suspended session).
    func permissionAnswered(_ permission: PermissionRecord) async
    /// An operator destroys a free runner: end its process (when a provider started it) and its
    /// connection, before its row goes.
    func runnerDestroyRequested(runnerID: String) async
}

extension OrchestrationHooks {
    public func streamCreated(streamID: String, sessionID: String) async {}
    public func streamStopped(streamID: String, sessionID: String) async {}
    public func permissionAnswered(_ permission: PermissionRecord) async {}
    public func runnerDestroyRequested(runnerID: String) async {}
}
