import NIOCore
import Synchronization

/// Connect WebSockets whose runner side was asked for before their 101 went out, until the
/// upgraded handler takes them (one per connection: after the 101 the connection is the
/// WebSocket). One whose connection closes first is abandoned (its runner side reset).
final class TunnelWebSocketPending: Sendable {
    private let table = Mutex<[ObjectIdentifier: TunnelWebSocketEnd.Prepared]>([:])

    init() {}

    func park(_ prepared: TunnelWebSocketEnd.Prepared, for channel: any Channel) {
        let key = ObjectIdentifier(channel)
        table.withLock { $0[key] = prepared }
        channel.closeFuture.whenComplete { _ in self.take(key)?.abandon() }
    }

    func take(for channel: any Channel) -> TunnelWebSocketEnd.Prepared? {
        take(ObjectIdentifier(channel))
    }

    private func take(_ key: ObjectIdentifier) -> TunnelWebSocketEnd.Prepared? {
        table.withLock { $0.removeValue(forKey: key) }
    }
}
