import NIOCore
import Synchronization

/// Why a spliced connection is torn down from the other side.
public enum TunnelAbort: Sendable, Hashable {
    /// The peer's channel failed or was reset: reset this side too (TCP RST, RST_STREAM CANCEL).
    case reset
    /// The tunnel was closed, expired or lost its runner: an HTTP end that has not answered yet
    /// answers `status` with `{code, message}`; other ends reset.
    case tunnelEnded(status: Int, code: String, message: String)
}

/// One end of a spliced tunnel connection: a client socket, a runner-side local socket, the HTTP
/// ingress, or an HTTP/2 stream of the data connection. Every call happens on the end's own event
/// loop (``TunnelSplicePeer`` hops when the caller is elsewhere), synchronously when both ends
/// share a loop, so bytes move with no task hops.
public protocol TunnelSpliceEndpoint: AnyObject {
    /// The other end is ready; bytes may flow.
    func spliceAttached(to peer: TunnelSplicePeer)
    /// Bytes the other end read: write (and flush) them to this end's channel.
    func spliceReceived(_ bytes: ByteBuffer)
    /// The other end's input ended: half-close this end's output.
    func spliceFinished()
    /// The other end is gone.
    func spliceAborted(_ reason: TunnelAbort)
    /// The other end's channel turned (un)writable: read this end's channel only while it is writable.
    func splicePeerWritabilityChanged(_ writable: Bool)
    /// Bytes queued to this end from another event loop fell below the low mark: tell the peer
    /// whether this end's channel is writable (it stopped reading when the queue was full).
    func spliceQueueDrained()
}

/// A Sendable handle on one end, used by the other end (or by the runtime to abort it). Calls run
/// directly when made on the end's event loop, else they are queued on it in order.
public struct TunnelSplicePeer: Sendable {
    public let eventLoop: any EventLoop
    private let end: NIOLoopBound<any TunnelSpliceEndpoint>
    /// Bytes sent from another loop and not yet written by this end. The sender stops reading while
    /// it is above ``highMark`` (the end's channel writability reaches the sender only after a hop,
    /// so without this count a fast reader could queue many read batches on the other loop).
    private let queued: SpliceQueue

    public static let highMark = 1024 * 1024
    public static let lowMark = 256 * 1024

    /// Call on `eventLoop`.
    public init(_ end: any TunnelSpliceEndpoint, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.end = NIOLoopBound(end, eventLoop: eventLoop)
        self.queued = SpliceQueue()
    }

    /// More than ``highMark`` bytes wait for this end on its loop: stop reading until it drains.
    public var isBacklogged: Bool { queued.bytes.load(ordering: .relaxed) > Self.highMark }

    public func attach(_ peer: TunnelSplicePeer) {
        if eventLoop.inEventLoop {
            end.value.spliceAttached(to: peer)
        } else {
            eventLoop.execute { [end] in end.value.spliceAttached(to: peer) }
        }
    }

    public func send(_ bytes: ByteBuffer) {
        if eventLoop.inEventLoop {
            end.value.spliceReceived(bytes)
        } else {
            let count = bytes.readableBytes
            queued.bytes.add(count, ordering: .relaxed)
            eventLoop.execute { [end, queued] in
                end.value.spliceReceived(bytes)
                let after = queued.bytes.subtract(count, ordering: .relaxed).newValue
                if after < Self.lowMark, after + count >= Self.lowMark {
                    end.value.spliceQueueDrained()
                }
            }
        }
    }

    public func finish() {
        if eventLoop.inEventLoop {
            end.value.spliceFinished()
        } else {
            eventLoop.execute { [end] in end.value.spliceFinished() }
        }
    }

    public func abort(_ reason: TunnelAbort = .reset) {
        if eventLoop.inEventLoop {
            end.value.spliceAborted(reason)
        } else {
            eventLoop.execute { [end] in end.value.spliceAborted(reason) }
        }
    }

    public func writabilityChanged(_ writable: Bool) {
        if eventLoop.inEventLoop {
            end.value.splicePeerWritabilityChanged(writable)
        } else {
            eventLoop.execute { [end] in end.value.splicePeerWritabilityChanged(writable) }
        }
    }
}

/// The byte count behind ``TunnelSplicePeer/isBacklogged``, shared by every copy of one handle.
final class SpliceQueue: Sendable {
    let bytes = Atomic<Int>(0)
}
