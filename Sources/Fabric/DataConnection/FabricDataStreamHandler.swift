import NIOCore
import NIOHPACK
import NIOHTTP2

/// An authenticated `POST /v1/tunnels/{tunnel_id}/connections/{connection_id}` stream awaiting a decision.
public struct FabricDataStreamRequest: Sendable {
    /// The runner the stream's credentials were checked for (also the runner its connection is bound to).
    public var runnerID: String
    public var tunnelID: String
    public var connectionID: String
    /// The request header block, `x-runner-token` removed.
    public var headers: HPACKHeaders
    /// Whether the request ended with its headers (END_STREAM), e.g. a runner reporting `x-dial-error`.
    public var requestEnded: Bool

    public init(runnerID: String, tunnelID: String, connectionID: String, headers: HPACKHeaders, requestEnded: Bool) {
        self.runnerID = runnerID
        self.tunnelID = tunnelID
        self.connectionID = connectionID
        self.headers = headers
        self.requestEnded = requestEnded
    }
}

/// What the server does with a tunnel stream.
public enum FabricDataStreamDecision: Sendable {
    /// Answer `:status 200` plus `headers` and hand the stream over. `configure` runs on the stream channel's event
    /// loop right after the response headers are written (so handlers may write DATA at once) and before request
    /// DATA that arrived while deciding is replayed to them; it adds the handlers that pump the stream (inbound
    /// and outbound type `HTTP2Frame.FramePayload`). Throwing resets the stream (INTERNAL_ERROR). Not called if
    /// the stream closed while deciding. The stream channel keeps `autoRead` on; pumping handlers withhold
    /// `read()` while their far side is not writable, so HTTP/2 flow control pushes back on the runner.
    case accept(headers: HPACKHeaders = [:], configure: @Sendable (any Channel) throws -> Void)
    /// Answer `status` (plus `headers`) with END_STREAM, then RST_STREAM(NO_ERROR) if the request is still open.
    case respond(status: Int, headers: HPACKHeaders = [:])
    /// Reset the stream with `code`.
    case reset(HTTP2ErrorCode)
    /// Keep the stream open unanswered (a standby stream): `configure` adds the handler that answers it
    /// later; like `accept` it runs on the stream's event loop, before held request frames are replayed.
    case hold(configure: @Sendable (any Channel) throws -> Void)
}

/// Decides what happens to tunnel connection streams. The tunnel feature implements this; the default,
/// ``FabricDataNotFoundStreamHandler``, answers 404.
public protocol FabricDataStreamHandler: Sendable {
    /// Called once per authenticated tunnel stream, on its event loop: it must decide without waiting (one
    /// opens for every proxied connection, so a task hop here would cost every connection one).
    func handleTunnelStream(_ request: FabricDataStreamRequest) -> FabricDataStreamDecision

    /// Called once per authenticated `POST /v1/tunnels/standby` stream, on its event loop. The default
    /// answers 404 (the runner then stops opening them and waits for `OpenTunnelConnection`).
    func handleStandbyStream(runnerID: String) -> FabricDataStreamDecision
}

extension FabricDataStreamHandler {
    public func handleStandbyStream(runnerID: String) -> FabricDataStreamDecision { .respond(status: 404) }
}

/// Answers every tunnel stream with 404 + END_STREAM (the server's default until tunnels exist).
public struct FabricDataNotFoundStreamHandler: FabricDataStreamHandler {
    public init() {}

    public func handleTunnelStream(_ request: FabricDataStreamRequest) -> FabricDataStreamDecision {
        .respond(status: 404)
    }
}

/// Checks a runner's credentials. Called at most once per connection, runner and token every 30 s.
public typealias FabricDataAuthenticator = @Sendable (_ runnerID: String, _ token: String) async -> Bool
