/// Counts the bytes of tunnel streams for metrics. A ``TunnelStreamEnd`` adds up on its event loop
/// and reports in batches (every ``TunnelStreamEnd/meterBatchBytes`` and when the stream closes),
/// so the hot path pays no atomic operation per frame.
public protocol TunnelByteMeter: Sendable {
    /// `received`: bytes that arrived on the stream; `sent`: bytes written to it.
    func count(received: Int, sent: Int)
    /// The stream stopped moving one way until the other side makes room: `sending` (bytes
    /// written to the stream wait for HTTP/2 window credit), else receiving (the other end cannot
    /// take what arrives, so the stream is not read and the peer's window fills).
    func stalled(sending: Bool)
}

extension TunnelByteMeter {
    public func stalled(sending: Bool) {}
}
