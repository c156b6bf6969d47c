import NIOCore
import Synchronization

/// A value per channel, held until it is taken or the channel closes, whichever comes first; on
/// the close, `closed` gets a value nobody took. The TCP tunnel listener passes each connection's
/// end this way from its set-up to the work queued at accept, and the connect route its prepared
/// WebSocket end from the upgrade check to the upgraded handler.
final class TunnelChannelTable<Value: Sendable>: Sendable {
    private let values = Mutex<[ObjectIdentifier: Value]>([:])
    private let closed: @Sendable (Value) -> Void

    init(closed: @escaping @Sendable (Value) -> Void) {
        self.closed = closed
    }

    func put(_ value: Value, for channel: any Channel) {
        let key = ObjectIdentifier(channel)
        values.withLock { $0[key] = value }
        // The channel object lives until its close callbacks ran, so the key is still its own.
        channel.closeFuture.whenComplete { _ in
            if let left = self.take(key) { self.closed(left) }
        }
    }

    func take(for channel: any Channel) -> Value? {
        take(ObjectIdentifier(channel))
    }

    private func take(_ key: ObjectIdentifier) -> Value? {
        values.withLock { $0.removeValue(forKey: key) }
    }

    /// Values held.
    var count: Int { values.withLock { $0.count } }
}
