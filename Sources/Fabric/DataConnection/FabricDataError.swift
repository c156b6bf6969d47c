import NIOHTTP2

/// Errors of the data connection client side.
public enum FabricDataError: Error, Sendable, Hashable {
    /// No data connection is up (``FabricDataClient/openStream(method:path:headers:endStream:configure:)``).
    case notConnected
    /// The peer sent GOAWAY with this error code.
    case peerWentAway(HTTP2ErrorCode)
    /// A response had an unexpected `:status` (e.g. 401 for bad credentials).
    case unexpectedStatus(Int)
    /// The response head or body was malformed (no `:status`, DATA before HEADERS, unexpected body).
    case malformedResponse
    /// The stream closed before the response was complete.
    case streamClosed
    /// The operation did not finish in time.
    case timedOut
    /// ``FabricDataClient/run()`` was called a second time (one run per instance).
    case alreadyRunning
}
