import NIOConcurrencyHelpers
import NIOCore
import Orchestrator

/// Tunnel lookups of the ingress, kept for two seconds so a client opening connection after
/// connection (`Connection: close`, HTTP/1.0, a browser's parallel connections, a TCP client) is
/// admitted on the event loop, without a database read or a task hop each time. The runtime's
/// one-second sweep looks again at the tunnels used in the last minute (``recentKeys()``), so one
/// used every few seconds stays admitted on the loop too (the lookup cost a new connection about
/// a millisecond). A tunnel closed here is forgotten at once (``forget(tunnelID:)``); a change made
/// elsewhere (another replica closed it, its session was suspended) is seen within the lifetime.
final class TunnelTargetCache: Sendable {
    enum Key: Hashable, Sendable {
        case id(String)
        case hostLabel(String)
    }

    private struct State {
        var table: ExpiringTable<Key, TunnelTarget>
        var used: RecentKeys<Key>
    }

    private let state: NIOLockedValueBox<State>

    init(lifetime: TimeAmount = .seconds(2), capacity: Int = 10_000, refreshWindow: TimeAmount = .seconds(60), refreshLimit: Int = 256) {
        state = NIOLockedValueBox(
            State(
                table: ExpiringTable(lifetime: lifetime, capacity: capacity),
                used: RecentKeys(window: refreshWindow, limit: refreshLimit)))
    }

    func target(_ key: Key) -> TunnelTarget? {
        let now = NIODeadline.now()
        return state.withLockedValue { state in
            let found = state.table.value(key, now: now)
            if found != nil { state.used.use(key, now: now) }
            return found
        }
    }

    /// A lookup's answer; `used`: a connection asked for it (not the sweep's refresh).
    func keep(_ target: TunnelTarget, for key: Key, used: Bool = true) {
        let now = NIODeadline.now()
        state.withLockedValue { state in
            state.table.keep(target, for: key, now: now)
            if used { state.used.use(key, now: now) }
        }
    }

    /// The keys to look up again: used in the last minute, most recent first.
    func recentKeys() -> [Key] {
        let now = NIODeadline.now()
        return state.withLockedValue { $0.used.keys(now: now) }
    }

    /// The tunnel a key named is gone from the store.
    func forget(_ key: Key) {
        state.withLockedValue { state in
            state.used.remove(key)
            state.table.remove(key)
        }
    }

    func forget(tunnelID: String) {
        state.withLockedValue { $0.table.removeAll { $0.tunnel.id == tunnelID } }
    }
}
