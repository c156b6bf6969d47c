/// What the SFU tells the control plane (stream states, viewer lifecycle, metrics). Delivered on an
/// AsyncStream; never awaited on the packet path.
public enum SFUEvent: Sendable, Equatable {
    case peerConnected(streamID: String, peerID: String, publisher: Bool, srtpProfile: SRTPProfile)
    case peerClosed(streamID: String, peerID: String, publisher: Bool, reason: String)
    /// The first media packet of a stream arrived (its state becomes `active`).
    case mediaStarted(streamID: String)
}
