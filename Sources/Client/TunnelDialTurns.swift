import NIOCore
import Synchronization

/// Turns for `mctl tunnels connect`'s WebSocket dials, in the order the local connections were
/// accepted: each dial starts once the one before it got its answer (101 or a refusal). The server
/// asks the runner to dial the origin before it answers, so the origin accepts the connections in
/// the same order (iperf3 `--bidir` tells its two data connections apart by that order).
final class TunnelDialTurns: Sendable {
    /// One connection's turn: ``wait()`` for the one before it, ``finish()`` when answered.
    struct Turn: Sendable {
        fileprivate let previous: AsyncStream<Void>?
        fileprivate let mine: AsyncStream<Void>.Continuation

        /// Returns once the previous dial was answered (or at once when cancelled).
        func wait() async {
            guard let previous else { return }
            for await _ in previous {}
        }

        /// Lets the next connection dial. Call once, on every path (again is harmless).
        func finish() { mine.finish() }
    }

    private struct State {
        var last: AsyncStream<Void>?
        var given: [ObjectIdentifier: Turn] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// The next turn; take turns in accept order.
    func next() -> Turn {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let previous = state.withLock { state in
            defer { state.last = stream }
            return state.last
        }
        return Turn(previous: previous, mine: continuation)
    }

    /// Gives an accepted connection the next turn (call in accept order: ``AcceptOrder``).
    func give(to channel: any Channel) {
        let turn = next()
        let key = ObjectIdentifier(channel)
        state.withLock { $0.given[key] = turn }
        // A connection closed before it was served (its set-up failed, or it hung up at once)
        // must not hold up the ones after it.
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { $0.given.removeValue(forKey: key) }?.finish()
        }
    }

    /// The turn given to the connection at accept; one never seen there takes the next turn.
    func turn(for channel: any Channel) -> Turn {
        state.withLock { $0.given.removeValue(forKey: ObjectIdentifier(channel)) } ?? next()
    }

    /// On the listening channel, ahead of NIO's acceptor: sees the accepted connections in the
    /// kernel's accept order (the acceptor then sets each up on its own event loop, and one on the
    /// other loop reaches the accept stream a hop later).
    final class AcceptOrder: ChannelInboundHandler, Sendable {
        typealias InboundIn = any Channel
        typealias InboundOut = any Channel

        private let turns: TunnelDialTurns

        init(_ turns: TunnelDialTurns) { self.turns = turns }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            turns.give(to: unwrapInboundIn(data))
            context.fireChannelRead(data)
        }
    }
}
