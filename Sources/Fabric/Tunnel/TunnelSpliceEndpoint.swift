import NIOCore

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
