import Capture
import Fabric
import Foundation
import GRPCCore
import Logging
import Synchronization

/// The streams this runner captures (runner-protocol.md §11): one source per stream, kept across
/// reconnects, and one `Media` RPC per stream on whatever connection is up. Frames produced while
/// disconnected are dropped (a keyframe is requested on reconnect), never queued without bound.
public actor MediaStreams {
    /// Opens the `Media` RPC of one stream on the current connection and runs it until it ends.
    public typealias Publisher = @Sendable (_ start: Marionette_Runner_V1_MediaStart, _ source: MediaSourceHandle) async -> Void

    private var sources: [String: MediaSourceHandle] = [:]
    private var uploads: [String: Task<Void, Never>] = [:]
    private var publisher: Publisher?
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// `StartStream`: starts capture (testsrc for now) and, when connected, its `Media` RPC.
    public func start(_ command: Marionette_Runner_V1_StartStream) {
        guard sources[command.streamID] == nil else { return }  // resent after a reconnect: already running
        guard command.type == "testsrc" else {
            logger.warning("stream type not supported by this runner", metadata: ["type": "\(command.type)", "stream_id": "\(command.streamID)"])
            return
        }
        let config = command.config
        let configuration = TestSourceRunner.Configuration(
            trackID: "video", width: config.width > 0 ? Int(config.width) : 1280, height: config.height > 0 ? Int(config.height) : 720,
            framesPerSecond: config.frameRate > 0 ? Int(config.frameRate) : 30,
            bitrateKbps: config.bitrateKbps > 0 ? Int(config.bitrateKbps) : 4000)
        let handle = MediaSourceHandle(streamID: command.streamID, sessionID: command.sessionID, type: command.type, configuration: configuration)
        do {
            try handle.start(logger: logger)
        } catch {
            logger.error("stream source failed to start", metadata: ["stream_id": "\(command.streamID)", "error": "\(error)"])
            return
        }
        sources[command.streamID] = handle
        logger.info("stream started", metadata: ["stream_id": "\(command.streamID)", "type": "\(command.type)"])
        startUpload(command.streamID)
    }

    /// `StopStream`: ends the RPC and the source.
    public func stop(streamID: String) {
        uploads.removeValue(forKey: streamID)?.cancel()
        sources.removeValue(forKey: streamID)?.stop()
        logger.info("stream stopped", metadata: ["stream_id": "\(streamID)"])
    }

    /// The connection came up (a publisher) or went down (nil): RPCs follow it, and sources only
    /// encode while connected (an agent cut off from its server must not burn CPU on frames
    /// nobody receives).
    public func setPublisher(_ publisher: Publisher?) {
        self.publisher = publisher
        for task in uploads.values { task.cancel() }
        uploads.removeAll()
        guard publisher != nil else {
            for source in sources.values { source.pause() }
            return
        }
        for (streamID, source) in sources {
            do { try source.start(logger: logger) } catch {
                logger.error("stream source failed to restart", metadata: ["stream_id": "\(streamID)", "error": "\(error)"])
                continue
            }
            startUpload(streamID)
        }
    }

    public func stopAll() {
        for task in uploads.values { task.cancel() }
        uploads.removeAll()
        for source in sources.values { source.stop() }
        sources.removeAll()
    }

    private func startUpload(_ streamID: String) {
        guard let publisher, let source = sources[streamID], uploads[streamID] == nil else { return }
        var start = Marionette_Runner_V1_MediaStart()
        start.streamID = streamID
        start.sessionID = source.sessionID
        start.type = source.type
        var track = Marionette_Runner_V1_TrackInfo()
        track.trackID = "video"
        track.kind = "video"
        track.codec = "vp8"
        track.width = Int32(source.configuration.width)
        track.height = Int32(source.configuration.height)
        track.frameRate = Int32(source.configuration.framesPerSecond)
        track.bitrateKbps = Int32(source.configuration.bitrateKbps)
        start.tracks = [track]
        start.startedAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        uploads[streamID] = Task { [weak self] in
            await publisher(start, source)
            await self?.uploadEnded(streamID)
        }
    }

    private func uploadEnded(_ streamID: String) {
        uploads[streamID] = nil
    }
}

/// One running source and the frames it hands to the current `Media` RPC.
public final class MediaSourceHandle: Sendable {
    public let streamID: String
    public let sessionID: String
    public let type: String
    public let configuration: TestSourceRunner.Configuration
    private let runner = Mutex<TestSourceRunner?>(nil)
    /// The RPC currently sending; frames go nowhere while it is nil.
    private let current = Mutex<AsyncStream<EncodedFrame>.Continuation?>(nil)

    init(streamID: String, sessionID: String, type: String, configuration: TestSourceRunner.Configuration) {
        self.streamID = streamID
        self.sessionID = sessionID
        self.type = type
        self.configuration = configuration
    }

    /// Starts the source's capture thread (again after a pause); a running source is left as is.
    func start(logger: Logger) throws {
        guard runner.withLock({ $0 == nil }) else { return }
        let streamID = self.streamID
        // Weak: the runner's thread must not keep a stopped stream's handle alive.
        let source = try TestSourceRunner(
            configuration: configuration,
            onFailure: { error in logger.error("stream source failed", metadata: ["stream_id": "\(streamID)", "error": "\(error)"]) }
        ) { [weak self] frame in
            _ = self?.current.withLock { $0?.yield(frame) }
        }
        runner.withLock { $0 = source }
    }

    /// A new RPC takes over the frames; the next one is a keyframe so viewers can decode at once.
    public func frames() -> AsyncStream<EncodedFrame> {
        let (stream, continuation) = AsyncStream<EncodedFrame>.makeStream(bufferingPolicy: .bufferingNewest(8))
        current.withLock { old in
            old?.finish()
            old = continuation
        }
        requestKeyframe()
        return stream
    }

    public func requestKeyframe() { runner.withLock { $0?.requestKeyframe() } }
    public func setBitrate(kbps: Int) { runner.withLock { $0?.setBitrate(kbps: kbps) } }

    /// Stops capture until `start` (disconnected); the stream itself goes on.
    func pause() {
        current.withLock { $0?.finish(); $0 = nil }
        let stopped = runner.withLock { runner -> TestSourceRunner? in
            defer { runner = nil }
            return runner
        }
        stopped?.stop()  // joins the capture thread: outside the lock its sink takes
    }

    func stop() { pause() }
}
