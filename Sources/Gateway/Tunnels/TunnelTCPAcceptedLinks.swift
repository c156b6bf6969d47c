import Fabric
import NIOCore

/// The splice ends of a TCP tunnel listener's accepted connections, passed from each connection's
/// set-up (on its own event loop) to the work queued for it at accept (``TunnelTCPAcceptOrder``).
final class TunnelTCPAcceptedLinks: Sendable {
    private let waiting = TunnelChannelTable<EventLoopPromise<TunnelSplicePeer>> { promise in
        promise.fail(ChannelError.ioOnClosedChannel)
    }

    /// At accept, before the connection is set up: its end, once ``supply(_:for:)`` gives it. Fails
    /// when the connection closes first (refused by its source address, or its set-up failed).
    func expect(_ connection: any Channel) -> EventLoopFuture<TunnelSplicePeer> {
        let promise = connection.eventLoop.makePromise(of: TunnelSplicePeer.self)
        waiting.put(promise, for: connection)
        return promise.futureResult
    }

    /// From the connection's set-up: the end its queued work splices to the runner.
    func supply(_ link: TunnelSplicePeer, for connection: any Channel) {
        waiting.take(for: connection)?.succeed(link)
    }

    /// Connections accepted and not set up yet.
    var count: Int { waiting.count }
}
