import Logging
import Orchestrator
import SFU

/// Turns SFU events into stream states (data-model.md §4.4): first media → `active`; a WHIP publisher
/// gone → back to `starting` (it may come back; viewers stay).
enum StreamLifecycle {
    static func apply(_ event: SFUEvent, streams: StreamService, input: StreamInputHub, logger: Logger) async {
        do {
            switch event {
            case .mediaStarted(let streamID):
                _ = try await streams.markActive(streamID)
                await input.broadcast(streamID: streamID, .state("active"))
            case .peerClosed(let streamID, _, true, let reason):
                logger.info("stream publisher left", metadata: ["stream_id": "\(streamID)", "reason": "\(reason)"])
                _ = try await streams.markStarting(streamID)
            case .peerConnected(let streamID, let peerID, let publisher, let profile):
                logger.info(
                    "stream peer connected",
                    metadata: [
                        "stream_id": "\(streamID)", "peer_id": "\(peerID)", "publisher": "\(publisher)", "srtp": "\(profile)",
                    ])
            case .peerClosed:
                break
            }
        } catch {
            // A stopped stream refuses the transition: nothing to do.
            logger.debug("stream state not changed", metadata: ["event": "\(event)", "error": "\(error)"])
        }
    }
}
