/// Builds heartbeats (runner-protocol.md §4.1, §5): status from the command handler, uptime, and
/// real resource use sampled on a dedicated thread (a large workspace walk must not occupy the
/// cooperative pool).
public actor HeartbeatSource {
    private let handler: CommandHandler
    private let workspaceBase: String
    private let started = ContinuousClock.now
    private var sampler = ResourceSampler()

    public init(handler: CommandHandler, workspaceBase: String) {
        self.handler = handler
        self.workspaceBase = workspaceBase
    }

    public func snapshot(runnerID: String) async -> HeartbeatSnapshot {
        let status = await handler.status()
        let base = workspaceBase
        let sampler = self.sampler
        let (sample, updated) = await BlockingThread.run(name: "marionette-resources") {
            var copy = sampler
            let sample = copy.sample(processGroups: status.processGroups, workspaceBase: base)
            return (sample, copy)
        }
        self.sampler = updated
        await handler.reapFinishedGroups()
        return HeartbeatSnapshot(
            runnerID: runnerID, status: status.busy ? "busy" : "idle",
            uptimeSeconds: Int64(started.duration(to: .now).components.seconds), cpuPercent: sample.cpuPercent,
            memoryBytes: sample.memoryBytes, diskBytes: sample.diskBytes, activeSessionID: status.activeSessionID,
            runningRuns: status.runningRuns)
    }
}
