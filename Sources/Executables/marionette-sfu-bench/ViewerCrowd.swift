import Foundation
import NIOCore
import NIOPosix
import SFU
import Synchronization

/// The viewers of one ramp: each on its own UDP channel (its own port, as browsers are), all on the
/// small event-loop group. Joins run on signaling threads, so a slow HTTP answer does not stall media.
/// Used from the ramp's thread only.
final class ViewerCrowd {
    struct Viewer: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<ViewerHandler>
        let leaveToken: String
    }

    /// What the signaling threads hand back.
    private final class Joined: Sendable {
        let state = Mutex<(viewers: [Viewer], errors: [String])>(([], []))
    }

    /// The next index a signaling thread takes (an `Atomic` cannot be captured by itself).
    private final class Ticket: Sendable {
        let counter = Atomic<Int>(0)
        func take() -> Int { counter.add(1, ordering: .relaxed).oldValue }
    }

    private let group: MultiThreadedEventLoopGroup
    private let context: DTLSContext
    private let signaling: any ViewerSignaling
    private let decryptEvery: Int
    private let bindHost: String
    private var viewers: [Viewer] = []

    init(group: MultiThreadedEventLoopGroup, context: DTLSContext, signaling: any ViewerSignaling, decryptEvery: Int, bindHost: String) {
        self.bindHost = bindHost
        self.group = group
        self.context = context
        self.signaling = signaling
        self.decryptEvery = decryptEvery
    }

    var count: Int { viewers.count }

    /// Joins `n` more viewers, at most `perSecond` a second; returns the errors of those that could not
    /// join. Spread out because each join gets the cached keyframe group at once: simultaneous joins
    /// would stack those bursts into one allocation peak that the server's RSS keeps afterwards.
    func add(_ n: Int, threads: Int, perSecond: Double) -> [String] {
        guard n > 0 else { return [] }
        let joined = Joined()
        let next = Ticket()
        let done = DispatchGroup()
        let start = MonotonicClock.nanoseconds()
        let (group, context, signaling, decryptEvery, bindHost) = (self.group, self.context, self.signaling, self.decryptEvery, self.bindHost)
        for _ in 0..<min(threads, n) {
            done.enter()
            let thread = Thread {
                while true {
                    let index = next.take()
                    guard index < n else { break }
                    if perSecond > 0 { MonotonicClock.sleep(until: start + UInt64(Double(index) / perSecond * 1e9)) }
                    do {
                        let viewer = try Self.join(group: group, context: context, signaling: signaling, decryptEvery: decryptEvery, bindHost: bindHost)
                        joined.state.withLock { $0.viewers.append(viewer) }
                    } catch {
                        joined.state.withLock { $0.errors.append("\(error)") }
                    }
                }
                done.leave()
            }
            thread.start()
        }
        done.wait()
        return joined.state.withLock { state in
            viewers += state.viewers
            return state.errors
        }
    }

    private static func join(
        group: MultiThreadedEventLoopGroup, context: DTLSContext, signaling: any ViewerSignaling, decryptEvery: Int, bindHost: String
    ) throws -> Viewer {
        let channel = try DatagramBootstrap(group: group)
            // Room for a keyframe burst while the viewers' loop is busy elsewhere: a drop here would count as SFU loss.
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ViewerHandler(dtlsContext: context, decryptEvery: decryptEvery))
                }
            }
            .bind(host: bindHost, port: 0).wait()
        do {
            let handler = try channel.pipeline.handler(type: ViewerHandler.self).map {
                NIOLoopBound($0, eventLoop: channel.eventLoop)
            }.wait()
            let credentials = LocalICECredentials.random()
            let (remote, token) = try signaling.join(
                credentials: credentials, fingerprint: context.certificate.fingerprintSDP, localHost: bindHost, localPort: UInt16(channel.localAddress?.port ?? 0))
            channel.eventLoop.execute { handler.value.begin(remote: remote, credentials: credentials) }
            return Viewer(channel: channel, handler: handler, leaveToken: token)
        } catch {
            try? channel.close().wait()
            throw error
        }
    }

    /// Every viewer's counters, summed (one hop per viewer onto its loop).
    func stats() -> ViewerStats {
        let futures = viewers.map { viewer in viewer.channel.eventLoop.submit { viewer.handler.value.snapshot() } }
        var total = ViewerStats()
        for future in futures {
            if let stats = try? future.wait() { total.add(stats) }
        }
        return total
    }

    /// Each viewer's counters, in join order.
    func perViewerStats() -> [ViewerStats] {
        let futures = viewers.map { viewer in viewer.channel.eventLoop.submit { viewer.handler.value.snapshot() } }
        return futures.map { (try? $0.wait()) ?? ViewerStats() }
    }

    /// Waits until every viewer has SRTP keys or failed, or the timeout; returns the last sums.
    func waitConnected(timeoutSeconds: Double) -> ViewerStats {
        let deadline = MonotonicClock.nanoseconds() + UInt64(timeoutSeconds * 1e9)
        var current = stats()
        while current.connected + current.failed < viewers.count, MonotonicClock.nanoseconds() < deadline {
            Thread.sleep(forTimeInterval: 0.25)
            current = stats()
        }
        return current
    }

    /// Leaves (WHEP DELETE / Janus destroy) and closes every viewer.
    func leaveAll(threads: Int) {
        let all = viewers
        viewers = []
        let signaling = self.signaling
        let next = Ticket()
        let done = DispatchGroup()
        for _ in 0..<max(1, min(threads, all.count)) {
            done.enter()
            Thread {
                while true {
                    let index = next.take()
                    guard index < all.count else { break }
                    signaling.leave(all[index].leaveToken)
                    try? all[index].channel.close().wait()
                }
                done.leave()
            }.start()
        }
        done.wait()
    }
}
