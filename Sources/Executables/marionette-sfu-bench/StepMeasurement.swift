/// One window's figures and what the step's report needs besides.
struct StepMeasurement {
    var step: StepResult
    var window: ViewerStats
    var after: ViewerStats
    var udpDrops: UInt64
    var hostCores: Double?
    var serverAfter: ProcessSample
    var viewerRSSKiB: Int

    /// CPU the host spent on anything but the server and the viewers (the source included).
    var otherCores: Double { max(0, (hostCores ?? 0) - step.serverCores - step.viewerCores) }

    func passed(maxP99: Double, maxLoss: Double) -> Bool {
        step.p99 <= maxP99 && step.lossPercent <= maxLoss && after.failed == 0
    }
}
