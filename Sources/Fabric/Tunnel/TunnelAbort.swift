/// Why a spliced connection is torn down from the other side.
public enum TunnelAbort: Sendable, Hashable {
    /// The peer's channel failed or was reset: reset this side too (TCP RST, RST_STREAM CANCEL).
    case reset
    /// The tunnel was closed, expired or lost its runner: an HTTP end that has not answered yet
    /// answers `status` with `{code, message}`; other ends reset.
    case tunnelEnded(status: Int, code: String, message: String)
}
