import Foundation

/// One step's measurement.
struct StepResult {
    var viewers: Int
    var packetsPerSecond: Double
    var lossPercent: Double
    var p50: Double
    var p99: Double
    var serverCores: Double
    var viewerCores: Double
    var rssDeltaKiB: Int

    var packetsPerCore: Double { serverCores > 0 ? packetsPerSecond / serverCores : 0 }
    var cpuPer100Viewers: Double { serverCores * 100 / Double(viewers) * 100 }
    var memoryPerViewerKiB: Double { Double(rssDeltaKiB) / Double(viewers) }

    func append(to path: String, label: String, passed: Bool) {
        let line = "STEP \(label) n=\(viewers) pass=\(passed ? 1 : 0) " + String(
            format: "pps=%.1f cores=%.4f mem_kib=%.2f p50=%.3f p99=%.3f loss=%.4f viewer_cores=%.3f\n",
            packetsPerSecond, serverCores, memoryPerViewerKiB, p50, p99, lossPercent, viewerCores)
        guard let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        handle.closeFile()
    }
}
