import NIOConcurrencyHelpers
import NIOCore
import Fabric

/// The splice ends of a TCP tunnel listener's accepted connections, passed from each connection's
/// set-up (on its own event loop) to the work queued for it at accept (``TunnelTCPAcceptOrder``).
final class TunnelTCPAcceptedLinks: Sendable {
    private let waiting = NIOLockedValueBox<[ObjectIdentifier: EventLoopPromise<TunnelSplicePeer>]>([:])

    /// At accept, before the connection is set up: its end, once ``supply(_:for:)`` gives it. Fails
    /// when the connection closes first (refused by its source address, or its set-up failed).
    func expect(_ connection: any Channel) -> EventLoopFuture<TunnelSplicePeer> {
        let promise = connection.eventLoop.makePromise(of: TunnelSplicePeer.self)
        let key = ObjectIdentifier(connection)
        waiting.withLockedValue { $0[key] = promise }
        connection.closeFuture.whenComplete { _ in
            // The connection object lives until its close callbacks ran, so the key is still its own.
            self.waiting.withLockedValue { _ = $0.removeValue(forKey: key) }
            promise.fail(ChannelError.ioOnClosedChannel)  // (no effect when supplied before)
        }
        return promise.futureResult
    }

    /// From the connection's set-up: the end its queued work splices to the runner.
    func supply(_ link: TunnelSplicePeer, for connection: any Channel) {
        waiting.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(connection)) }?.succeed(link)
    }

    /// Connections accepted and not set up yet.
    var count: Int { waiting.withLockedValue { $0.count } }
}
