/// The pure bookkeeping of one splice end (runner-protocol.md §10.4–5): reads are let through only
/// while the peer is attached and writable (so flow control propagates end to end), and the two
/// half-closes decide when the end is finished.
public struct TunnelSpliceState: Sendable, Hashable {
    public private(set) var attached = false
    public private(set) var peerWritable = true
    /// A `read()` was withheld and must be issued once reading is allowed again.
    public private(set) var readPending = false
    /// This end's input ended (socket EOF, END_STREAM received).
    public private(set) var inputClosed = false
    /// This end's output was half-closed (FIN sent, END_STREAM sent).
    public private(set) var outputClosed = false
    /// Torn down; nothing more happens.
    public private(set) var aborted = false

    public init() {}

    public var readAllowed: Bool { attached && peerWritable && !aborted }

    /// Both directions ended cleanly.
    public var isFinished: Bool { inputClosed && outputClosed }

    /// A `read()` reached the end: true to pass it on now, false to hold it.
    public mutating func readRequested() -> Bool {
        if readAllowed { return true }
        readPending = true
        return false
    }

    /// True when a held `read()` must be issued now.
    public mutating func attach() -> Bool {
        attached = true
        return releasePendingRead()
    }

    /// True when a held `read()` must be issued now.
    public mutating func peerWritabilityChanged(_ writable: Bool) -> Bool {
        peerWritable = writable
        return releasePendingRead()
    }

    /// Input ended; true when the end is now finished (both directions done).
    public mutating func inputEnded() -> Bool {
        inputClosed = true
        return isFinished
    }

    /// Output half-closed; true when the end is now finished. False (and nothing to do) if it already was.
    public mutating func outputEnded() -> Bool {
        guard !outputClosed else { return false }
        outputClosed = true
        return isFinished
    }

    /// True the first time only: the caller tears the channel down and tells the peer.
    public mutating func abort() -> Bool {
        guard !aborted else { return false }
        aborted = true
        readPending = false
        return true
    }

    private mutating func releasePendingRead() -> Bool {
        guard readPending, readAllowed else { return false }
        readPending = false
        return true
    }
}
