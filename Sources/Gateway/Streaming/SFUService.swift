import Core
import Logging
import SFU
import ServiceLifecycle
import Synchronization

/// Where routes find the running SFU; empty until the UDP socket is bound (routes then answer 503).
public final class SFUHolder: Sendable {
    private let box = Mutex<SFUServer?>(nil)
    public init() {}
    public var server: SFUServer? { box.withLock { $0 } }
    func set(_ server: SFUServer?) { box.withLock { $0 = server } }
}

/// Runs the SFU for the server's lifetime and hands its events to the control plane.
struct SFUService: Service {
    let config: ServerConfig
    let holder: SFUHolder
    let logger: Logger
    let onEvent: @Sendable (SFUEvent) async -> Void

    static func configuration(_ config: ServerConfig) -> SFUConfiguration {
        var sfu = SFUConfiguration()
        sfu.bindHost = config.sfuBindHost ?? config.apiHost
        sfu.udpPort = config.mediaPort
        sfu.publicIPs = config.sfuPublicIPs
        sfu.maxViewersPerStream = config.sfuMaxViewersPerStream
        sfu.maxViewersTotal = config.sfuMaxViewersTotal
        sfu.minimumBitrateBitsPerSecond = UInt64(config.sfuBitrateMinKbps) * 1000
        sfu.viewerQueuePackets = config.sfuViewerQueuePackets
        if let workers = config.sfuWorkers { sfu.workers = workers }
        #if DEBUG
        sfu.testDropEgressPercent = config.sfuTestDropEgressPercent
        #endif
        return sfu
    }

    func run() async throws {
        let sfu = try await SFUServer.start(configuration: Self.configuration(config), logger: logger)
        holder.set(sfu)
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                for await event in sfu.events { await onEvent(event) }
            } onCancel: {
                Task { await sfu.stop() }
            }
        } onGracefulShutdown: {
            Task { await sfu.stop() }
        }
        holder.set(nil)
        await sfu.stop()
    }
}
