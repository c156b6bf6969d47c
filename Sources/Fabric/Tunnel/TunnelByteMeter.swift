/// Counts the bytes of tunnel streams for metrics. A ``TunnelStreamEnd`` adds up on its event loop
/// and reports in batches (every ``TunnelStreamEnd/meterBatchBytes`` and when the stream closes),
/// so the hot path pays no atomic operation per frame.
public protocol TunnelByteMeter: Sendable {
    /// `received`: bytes that arrived on the stream; `sent`: bytes written to it.
    func count(received: Int, sent: Int)
}
