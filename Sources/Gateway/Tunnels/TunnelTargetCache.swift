import NIOConcurrencyHelpers
import NIOCore
import Orchestrator

/// Tunnel lookups of the HTTP ingress, kept for a second so a client opening connection after
/// connection (`Connection: close`, HTTP/1.0, a browser's parallel connections) is admitted on the
/// event loop, without a database read or a task hop each time. A tunnel closed here is forgotten at
/// once (``forget(tunnelID:)``); one closed elsewhere (another replica, its session suspended) is
/// seen within the lifetime, the same bound the runtime's sweep gives its open connections.
final class TunnelTargetCache: Sendable {
    enum Key: Hashable, Sendable {
        case id(String)
        case hostLabel(String)
    }

    private let table: NIOLockedValueBox<ExpiringTable<Key, TunnelTarget>>

    init(lifetime: TimeAmount = .seconds(1), capacity: Int = 10_000) {
        table = NIOLockedValueBox(ExpiringTable(lifetime: lifetime, capacity: capacity))
    }

    func target(_ key: Key) -> TunnelTarget? {
        let now = NIODeadline.now()
        return table.withLockedValue { $0.value(key, now: now) }
    }

    func keep(_ target: TunnelTarget, for key: Key) {
        let now = NIODeadline.now()
        table.withLockedValue { $0.keep(target, for: key, now: now) }
    }

    func forget(tunnelID: String) {
        table.withLockedValue { $0.removeAll { $0.tunnel.id == tunnelID } }
    }
}
