/// The WebRTC SFU room. Empty until the SFU issue; kept so the dependency graph of DESIGN.md holds.
public enum SFU {
    /// Default UDP port for all WebRTC media (`--media-port`).
    public static let defaultMediaPort = 7881
}
