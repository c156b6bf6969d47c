import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Public ports picked for new TCP tunnels, each held by a bound (not yet listening) socket from
/// the moment the store picks it until the tunnel's listener takes that socket over. The store
/// only knows the ports of open tunnels in its own database; another process on the host (a
/// second server, anything else) may hold a port of the range, and a port found free by a probe
/// could be taken again before the listener binds it. Holding it closes that window.
final class TunnelPortReservations: Sendable {
    private struct Held {
        var fd: CInt
        var since: ContinuousClock.Instant
    }

    let host: String
    private let held = Mutex<[Int: Held]>([:])

    init(host: String) {
        self.host = host
    }

    /// Binds `port` (no listen) and keeps the socket; false when another socket holds the port.
    /// Without `SO_REUSEADDR`, so that two reservations (another server's) never share a port,
    /// at the price of skipping a port whose last connections are still in TIME_WAIT.
    func reserve(_ port: Int) -> Bool {
        held.withLock { held in
            guard held[port] == nil, let fd = try? TCPPortProbe.boundSocket(host: host, port: port, reuseAddress: false)
            else { return false }
            held[port] = Held(fd: fd, since: .now)
            return true
        }
    }

    /// The reserved socket of `port`, now the caller's to listen on or close; nil when none.
    func take(_ port: Int) -> CInt? {
        held.withLock { $0.removeValue(forKey: port)?.fd }
    }

    /// Closes reservations nobody took within `age` (a create that failed after its pick).
    func expire(olderThan age: Duration) {
        let stale = held.withLock { held -> [CInt] in
            let old = held.filter { $0.value.since.duration(to: .now) > age }
            for port in old.keys { held[port] = nil }
            return old.values.map(\.fd)
        }
        for fd in stale { close(fd) }
    }

    /// Closes every reservation (the server is stopping).
    func releaseAll() {
        let all = held.withLock { held -> [CInt] in
            defer { held.removeAll() }
            return held.values.map(\.fd)
        }
        for fd in all { close(fd) }
    }
}
