/// The agent<->server connection fabric. The foundation issue needs nothing from it yet; the
/// fabric issue adds runner.proto, the gRPC endpoint, the agent client and the data connection.
public enum Fabric {
    /// Default offset of the data connection port from the gRPC port (runner-protocol.md §10).
    public static let dataPortOffset = 2
}
