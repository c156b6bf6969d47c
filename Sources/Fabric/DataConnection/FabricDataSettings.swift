import NIOCore
import NIOHTTP2

/// HTTP/2 parameters shared by both ends of the fabric data connection (runner-protocol.md §1, §10).
///
/// swift-nio-http2 1.46.0 over-grants connection WINDOW_UPDATEs under heavy two-way traffic when windows are
/// 8 MiB or more, until the peer's window passes 2^31-1 and the whole connection dies
/// (`InvalidFlowControlWindowSize`). Both the stream and the connection target windows are therefore set
/// explicitly to 4 MiB on both sides; `DataConnectionSoakTests` keeps a two-way soak test in CI.
public enum FabricDataSettings {
    /// Stream AND connection flow-control target window, in bytes.
    public static let windowSize = 4 * 1024 * 1024
    /// SETTINGS_MAX_FRAME_SIZE, in bytes.
    public static let maxFrameSize = 1024 * 1024
    /// SETTINGS_MAX_CONCURRENT_STREAMS: one stream per open tunnel connection, so 5,000 idle ones fit.
    public static let maxConcurrentStreams = 8192
    /// SETTINGS_MAX_HEADER_LIST_SIZE (bytes). Data streams carry a handful of short headers.
    public static let maxHeaderListSize = 16 * 1024
    /// A stream channel turns unwritable when this many bytes wait for flow-control credit or the socket.
    public static let streamOutboundHighWatermark = 1024 * 1024
    /// ... and writable again below this.
    public static let streamOutboundLowWatermark = 256 * 1024

    /// Socket read buffers grow up to 256 KiB under load (the NIO default stops at 64 KiB). 1 MiB was
    /// measured too (bench/tunnels, same run conditions): bulk TCP gained ~15 %, but added request
    /// latency at 1,000 req/s went from 0.36 to 0.6-1.0 ms and new connections/s fell to 40 %.
    public static var receiveAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 64 * 1024, maximum: 256 * 1024)
    }
    /// Socket-level watermarks, set above anything HTTP/2 can queue so the connection channel never turns
    /// unwritable: DATA waiting for the socket already counts against the 4 MiB connection window, so flow
    /// control (and each stream's own watermarks above) is the backpressure. An unwritable connection
    /// channel makes swift-nio-http2 1.x buffer control frames, and a DATA frame written right after it
    /// turns writable again trips its `ControlFrameBuffer` debug assertion ("Received flush data frames
    /// while buffering control frames"), which killed whole test runs under the soak tests.
    public static var socketWriteWaterMark: ChannelOptions.Types.WriteBufferWaterMark {
        .init(low: 12 * 1024 * 1024, high: 16 * 1024 * 1024)
    }

    /// Request header carrying the runner's ID (`run_…`).
    public static let runnerIDHeader = "x-runner-id"
    /// Request header carrying the runner's token (`rtok_…`).
    public static let runnerTokenHeader = "x-runner-token"

    /// `GET` probe answered `200 ok` by the server.
    public static let healthPath = "/v1/health"

    /// `POST`: an idle stream the runner opens ahead of need; the server answers it when a client
    /// connects, naming the connection in the response head (``FabricDataStandby``).
    public static let standbyPath = "/v1/tunnels/standby"

    /// The SETTINGS both sides send. Push is disabled (the server never opens streams).
    public static var initialSettings: HTTP2Settings {
        [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .initialWindowSize, value: windowSize),
            HTTP2Setting(parameter: .maxFrameSize, value: maxFrameSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maxHeaderListSize),
            HTTP2Setting(parameter: .enablePush, value: 0),
        ]
    }

    /// Connection configuration with the explicit 4 MiB connection target window.
    public static var connectionConfiguration: NIOHTTP2Handler.ConnectionConfiguration {
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = initialSettings
        configuration.targetWindowSize = windowSize
        // swift-nio-http2 closes a connection (GOAWAY ENHANCE_YOUR_CALM) after 200 stream errors in
        // its whole life, and a stream error is as ordinary here as a frame crossing a RST_STREAM of
        // an aborted tunnel connection: a runner's long-lived data connection would die after a few
        // hundred aborted page loads. Both peers are authenticated; the limits guard against nothing.
        configuration.maximumConnectionGlitches = 1 << 40
        configuration.maximumRecentlyResetStreams = 4096
        // It also sends GOAWAY after two empty DATA frames in a row without END_STREAM or HEADERS
        // between them, and every answered standby stream is confirmed with one (a burst of
        // connections sends them back to back). At most one per stream is legitimate.
        configuration.maximumSequentialEmptyDataFrames = maxConcurrentStreams
        return configuration
    }

    /// Stream configuration with the explicit 4 MiB stream target window.
    public static var streamConfiguration: NIOHTTP2Handler.StreamConfiguration {
        var configuration = NIOHTTP2Handler.StreamConfiguration()
        configuration.targetWindowSize = windowSize
        configuration.outboundBufferSizeHighWatermark = streamOutboundHighWatermark
        configuration.outboundBufferSizeLowWatermark = streamOutboundLowWatermark
        // Every aborted tunnel connection is a RST_STREAM, often followed by a stream error (a frame that crossed
        // it). The defaults (200 of each per 30 s, rapid-reset guards) end the whole data connection under a
        // busy tunnel; both peers are authenticated runners and servers, so the limits only stop a runaway loop.
        // (The limiter preallocates one timestamp per allowed event: a short window, not a huge count.)
        configuration.streamResetFrameRateLimit.maximumCount = 20_000
        configuration.streamResetFrameRateLimit.windowLength = .seconds(1)
        configuration.streamErrorRateLimit.maximumCount = 20_000
        configuration.streamErrorRateLimit.windowLength = .seconds(1)
        return configuration
    }
}
