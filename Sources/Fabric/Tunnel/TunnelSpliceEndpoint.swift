import NIOCore

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
}

/// A Sendable handle on one end, used by the other end (or by the runtime to abort it). Calls run
/// directly when made on the end's event loop, else they are queued on it in order.
public struct TunnelSplicePeer: Sendable {
    public let eventLoop: any EventLoop
    private let end: NIOLoopBound<any TunnelSpliceEndpoint>

    /// Call on `eventLoop`.
    public init(_ end: any TunnelSpliceEndpoint, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.end = NIOLoopBound(end, eventLoop: eventLoop)
    }

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
            eventLoop.execute { [end] in end.value.spliceReceived(bytes) }
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
