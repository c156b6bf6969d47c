import NIOCore
import Synchronization

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
