import Fabric
import GRPCCore
import Logging

/// The log uploaders of one connection: one `LogUploader` loop per run with unacknowledged lines,
/// started for every pending run when the connection comes up and for every run opened while it
/// is up; each retries with backoff until its run is complete, and all stop with the connection.
actor LogUploads<Transport: ClientTransport> {
    private let uploader: LogUploader<Transport>
    private let buffer: LogBuffer
    private let logger: Logger
    private var running: [String: Task<Void, Never>] = [:]
    private var stopped = false
    /// After this many consecutive refusals (unknown run, wrong runner) a run's lines are dropped.
    private let maxRefusals = 10

    init(uploader: LogUploader<Transport>, buffer: LogBuffer, logger: Logger) {
        self.uploader = uploader
        self.buffer = buffer
        self.logger = logger
    }

    func startPending() async {
        for context in await buffer.runsNeedingUpload { start(context.runID) }
    }

    func start(_ runID: String) {
        guard !stopped, running[runID] == nil else { return }
        running[runID] = Task { await self.loop(runID) }
    }

    func stopAll() async {
        stopped = true
        let tasks = running.values
        running.removeAll()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    private func loop(_ runID: String) async {
        var backoff = ReconnectBackoff(initial: .milliseconds(500), maximum: .seconds(30))
        var refusals = 0
        while !Task.isCancelled {
            guard await buffer.needsUpload(runID), let context = await buffer.context(of: runID) else { break }
            do {
                let outcome = try await uploader.upload(context)
                refusals = 0
                if outcome == .finished {
                    if await buffer.isComplete(runID) {
                        await buffer.finish(runID)
                        logger.debug("log upload complete", metadata: ["run_id": "\(runID)"])
                        break
                    }
                    backoff.reset()  // the run was reopened meanwhile: upload again
                } else {
                    // The server ended the stream without `final` (restart, drain): resume shortly.
                    try? await Task.sleep(for: backoff.nextDelay())
                }
            } catch {
                if Task.isCancelled { break }
                if let rpc = error as? RPCError, rpc.code == .notFound || rpc.code == .permissionDenied {
                    refusals += 1
                    if refusals >= maxRefusals {
                        logger.error(
                            "log upload refused repeatedly; dropping the run's unacknowledged lines",
                            metadata: ["run_id": "\(runID)", "error": "\(rpc.message)"])
                        await buffer.discard(runID)
                        break
                    }
                }
                let delay = backoff.nextDelay()
                logger.info(
                    "log upload interrupted; resuming",
                    metadata: ["run_id": "\(runID)", "error": "\(error)", "delay": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
        await finished(runID)
    }

    private func finished(_ runID: String) async {
        running.removeValue(forKey: runID)
        // The run may have been reopened while this loop was ending.
        if !stopped, await buffer.needsUpload(runID) { start(runID) }
    }
}
