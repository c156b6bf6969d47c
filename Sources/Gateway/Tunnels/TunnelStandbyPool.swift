import Fabric
import NIOConcurrencyHelpers
import NIOCore

/// The idle standby streams of each runner's data connection, and the client connections waiting
/// for one. First come, first served: a TCP tunnel's connections reach the origin in accept order
/// (the runner dials in the order the assignments arrive). A runner that opens no standby streams
/// (an older agent) is not in the pool, and its connections take `OpenTunnelConnection`.
final class TunnelStandbyPool: Sendable {
    /// A client connection to assign.
    struct Waiter: Sendable {
        let assignment: FabricDataStandbyAssignment
        /// False once the client left or timed out (the broker no longer waits for it).
        let isWanted: @Sendable () -> Bool
        /// Asks the runner through `OpenTunnelConnection` instead.
        let fallback: @Sendable () -> Void
    }

    private struct Runner {
        /// The data connection the idle streams belong to.
        var connection: any Channel
        var idle = CircularBuffer<TunnelStandbyStream.Handle>()
        var waiters = DeadlineQueue<Waiter>()
    }

    private enum Offer {
        case serve(Waiter)
        case kept
        case refused
    }

    private enum Claim {
        case stream(TunnelStandbyStream.Handle)
        /// Queued; the queue's timer is to be set when it was empty.
        case waiting(DeadlineQueue<Waiter>.Timer?)
        /// No standby streams; `orphans` waited on a data connection that is gone.
        case unavailable(orphans: [Waiter])
    }

    /// Idle streams kept per runner (the agent opens 32); more are refused.
    static let maxIdle = 64
    /// How long a connection waits for the runner's next standby stream before it asks through
    /// `OpenTunnelConnection` (the runner opens one for every stream answered, a round trip later;
    /// a runner whose data connection is that slow could not serve the command's stream either, so
    /// the wait is long enough never to reorder a loaded machine's connections, and leaves half of
    /// the broker's 10 s for the command).
    let waitLimit: TimeAmount

    private let runners = NIOLockedValueBox<[String: Runner]>([:])

    init(waitLimit: TimeAmount = .seconds(5)) {
        self.waitLimit = waitLimit
    }

    /// Idle streams held for `runnerID` (tests).
    func idleCount(runnerID: String) -> Int {
        runners.withLockedValue { $0[runnerID]?.idle.count ?? 0 }
    }

    /// A runner's new idle stream: it serves the first connection still waiting, else it is kept.
    /// False when the runner already has ``maxIdle`` idle streams (the caller resets this one).
    func offer(_ handle: TunnelStandbyStream.Handle, runnerID: String, connection: any Channel) -> Bool {
        while true {
            let offer = runners.withLockedValue { all -> Offer in
                var entry = all[runnerID] ?? Runner(connection: connection)
                if entry.connection !== connection {
                    // A new data connection: the old one's streams are gone with it.
                    entry.connection = connection
                    entry.idle.removeAll()
                }
                defer { all[runnerID] = entry }
                if let waiter = entry.waiters.popFirst() { return .serve(waiter) }
                guard entry.idle.count < Self.maxIdle else { return .refused }
                entry.idle.append(handle)
                return .kept
            }
            switch offer {
            case .kept: return true
            case .refused: return false
            case .serve(let waiter):
                guard waiter.isWanted() else { continue }
                handle.assign(waiter.assignment) { self.dispatch(waiter, runnerID: runnerID, loop: handle.eventLoop) }
                return true
            }
        }
    }

    /// Assigns a client connection to the runner's next standby stream: an idle one now, or the next
    /// one the runner opens (at most ``waitLimit`` later); without standby streams, `fallback`.
    func dispatch(_ waiter: Waiter, runnerID: String, loop: any EventLoop) {
        let claim = runners.withLockedValue { all -> Claim in
            guard var entry = all[runnerID] else { return .unavailable(orphans: []) }
            guard entry.connection.isActive else {
                all.removeValue(forKey: runnerID)
                return .unavailable(orphans: entry.waiters.removeAll())
            }
            defer { all[runnerID] = entry }
            if entry.waiters.isEmpty, let handle = entry.idle.popFirst() { return .stream(handle) }
            return .waiting(entry.waiters.append(waiter, deadline: .now() + waitLimit))
        }
        switch claim {
        case .unavailable(let orphans):
            Self.fallBack(orphans)
            waiter.fallback()
        case .stream(let handle):
            // Closed meanwhile: the next one.
            handle.assign(waiter.assignment) { self.dispatch(waiter, runnerID: runnerID, loop: loop) }
        case .waiting(let timer):
            timer?.run(on: loop) { self.expire(runnerID: runnerID, timer: $0) }
        }
    }

    /// At `timer`'s deadline: the runner's waiters whose wait is over take the command; returns the
    /// timer for the rest.
    private func expire(runnerID: String, timer: DeadlineQueue<Waiter>.Timer) -> DeadlineQueue<Waiter>.Timer? {
        let (expired, next) = runners.withLockedValue { all in
            all[runnerID]?.waiters.expire(now: .now(), token: timer.token) ?? ([], nil)
        }
        Self.fallBack(expired)
        return next
    }

    /// An idle stream closed. When it was the last of a connection that is gone, the runner leaves
    /// the pool and its waiting connections fall back.
    func remove(runnerID: String, id: ObjectIdentifier) {
        let orphans = runners.withLockedValue { all -> [Waiter] in
            guard var entry = all[runnerID] else { return [] }
            if let index = entry.idle.firstIndex(where: { $0.id == id }) { entry.idle.remove(at: index) }
            if entry.idle.isEmpty, !entry.connection.isActive {
                all.removeValue(forKey: runnerID)
                return entry.waiters.removeAll()
            }
            all[runnerID] = entry
            return []
        }
        Self.fallBack(orphans)
    }

    /// Waiters whose wait is over, or whose data connection is gone: those still wanted take the command.
    private static func fallBack(_ orphans: [Waiter]) {
        for waiter in orphans where waiter.isWanted() { waiter.fallback() }
    }
}
