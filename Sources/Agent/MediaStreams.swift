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
    /// `StreamStatus` reports (the control stream's outbox).
    private let events: (any AgentEventSink)?
    /// Builds desktop sources; nil where this agent was built without one (tests).
    private let desktopFactory: DesktopSourceFactory?
    /// Builds android (scrcpy) sources; nil where this agent was built without one (tests).
    private let androidFactory: DesktopSourceFactory?

    /// The track a desktop or android `StartStream` announces and the factory that starts its source.
    public typealias DesktopSourceFactory = @Sendable (Marionette_Runner_V1_StartStream) -> (CaptureTrackSpec, CaptureSourceFactory)

    public init(
        logger: Logger, events: (any AgentEventSink)? = nil, desktopFactory: DesktopSourceFactory? = nil,
        androidFactory: DesktopSourceFactory? = nil
    ) {
        self.logger = logger
        self.events = events
        self.desktopFactory = desktopFactory
        self.androidFactory = androidFactory
    }

    /// `StartStream`: starts capture and, when connected, its `Media` RPC. A source that cannot
    /// start is reported with `StreamStatus{failed}` on `Connect` (runner-protocol.md §11).
    public func start(_ command: Marionette_Runner_V1_StartStream) async {
        guard sources[command.streamID] == nil else { return }  // resent after a reconnect: already running
        let config = command.config
        let spec: CaptureTrackSpec
        let factory: CaptureSourceFactory
        switch command.type {
        case "testsrc":
            let codec: VPXCodec
            do throws(CaptureFailure) {
                codec = try VideoCodecChoice.vpx(config.videoCodec, type: command.type)
            } catch {
                await report(command.streamID, command.sessionID, error)
                return
            }
            let configuration = TestSourceRunner.Configuration(
                trackID: "video", width: config.width > 0 ? Int(config.width) : 1280, height: config.height > 0 ? Int(config.height) : 720,
                framesPerSecond: config.frameRate > 0 ? Int(config.frameRate) : 30,
                bitrateKbps: config.bitrateKbps > 0 ? Int(config.bitrateKbps) : 4000, codec: codec)
            spec = CaptureTrackSpec(
                width: configuration.width, height: configuration.height, framesPerSecond: configuration.framesPerSecond,
                bitrateKbps: configuration.bitrateKbps, codec: codec.rawValue)
            factory = TestPatternCaptureSource.factory(configuration)
        case "desktop" where desktopFactory != nil:
            guard let desktopFactory else { return }
            (spec, factory) = desktopFactory(command)
        case "android" where androidFactory != nil:
            guard let androidFactory else { return }
            (spec, factory) = androidFactory(command)
        default:
            logger.warning("stream type not supported by this runner", metadata: ["type": "\(command.type)", "stream_id": "\(command.streamID)"])
            await report(command.streamID, command.sessionID, CaptureFailure(
                code: "unsupported_type", message: "this runner cannot capture \(command.type) streams"))
            return
        }
        let handle = MediaSourceHandle(
            streamID: command.streamID, sessionID: command.sessionID, type: command.type, spec: spec, factory: factory)
        sources[command.streamID] = handle
        do {
            try handle.start(logger: logger, onFailure: failureHandler(command.streamID))
        } catch {
            sources[command.streamID] = nil
            logger.error("stream source failed to start", metadata: ["stream_id": "\(command.streamID)", "error": "\(error)"])
            await report(command.streamID, command.sessionID, Self.failure(error))
            return
        }
        logger.info("stream started", metadata: ["stream_id": "\(command.streamID)", "type": "\(command.type)"])
        startUpload(command.streamID)
    }

    /// A source died on its own thread: the stream fails with its reason; the agent goes on.
    func sourceFailed(_ streamID: String, _ failure: CaptureFailure) async {
        guard let source = sources.removeValue(forKey: streamID) else { return }
        uploads.removeValue(forKey: streamID)?.cancel()
        source.stop()
        logger.error("stream source failed", metadata: ["stream_id": "\(streamID)", "code": "\(failure.code)", "error": "\(failure.message)"])
        await report(streamID, source.sessionID, failure)
    }

    private func failureHandler(_ streamID: String) -> @Sendable (CaptureFailure) -> Void {
        { [weak self] failure in
            Task { await self?.sourceFailed(streamID, failure) }
        }
    }

    private func report(_ streamID: String, _ sessionID: String, _ failure: CaptureFailure) async {
        await events?.send(
            .streamStatus(
                StreamStatusReport(
                    streamID: streamID, sessionID: sessionID, state: "failed", error: failure.message, errorCode: failure.code,
                    atUnixMs: Int64(Date().timeIntervalSince1970 * 1000))))
    }

    static func failure(_ error: any Error) -> CaptureFailure {
        if let failure = error as? CaptureFailure { return failure }
        return CaptureFailure(code: "source_failed", message: "\(error)")
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
            do { try source.start(logger: logger, onFailure: failureHandler(streamID)) } catch {
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
        track.codec = source.spec.codec
        track.width = Int32(source.spec.width)
        track.height = Int32(source.spec.height)
        track.frameRate = Int32(source.spec.framesPerSecond)
        track.bitrateKbps = Int32(source.spec.bitrateKbps)
        start.tracks = [track]
        if let audioCodec = source.spec.audioCodec {
            var audio = Marionette_Runner_V1_TrackInfo()
            audio.trackID = "audio"
            audio.kind = "audio"
            audio.codec = audioCodec
            audio.sampleRate = 48_000
            audio.channels = 2
            start.tracks.append(audio)
        }
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
    let spec: CaptureTrackSpec
    private let factory: CaptureSourceFactory
    private let source = Mutex<(any CaptureSource)?>(nil)
    /// The RPC currently sending; output goes nowhere while it is nil.
    private let current = Mutex<AsyncStream<CaptureOutput>.Continuation?>(nil)
    /// The cursor shape last sent: a new RPC (a reconnect, a restarted server) starts with it,
    /// because the source sends each shape only once.
    private let cursorShape = Mutex<DesktopSourceEvent?>(nil)
    /// The size of the latest encoded frame: positional input for another size is stale.
    private let frameSize = Mutex<(width: Int, height: Int)?>(nil)

    init(streamID: String, sessionID: String, type: String, spec: CaptureTrackSpec, factory: @escaping CaptureSourceFactory) {
        self.streamID = streamID
        self.sessionID = sessionID
        self.type = type
        self.spec = spec
        self.factory = factory
    }

    /// Starts the source's threads (again after a pause); a running source is left as is.
    func start(logger: Logger, onFailure: @escaping @Sendable (CaptureFailure) -> Void) throws {
        guard source.withLock({ $0 == nil }) else { return }
        // Weak: the source's thread must not keep a stopped stream's handle alive.
        let started = try factory(
            { [weak self] output in
                guard let self else { return }
                switch output {
                case .frame(let frame) where frame.trackID == "video": self.frameSize.withLock { $0 = (frame.width, frame.height) }
                case .frame: break
                case .event(let event):
                    if case .cursorImage = event { self.cursorShape.withLock { $0 = event } }
                }
                _ = self.current.withLock { $0?.yield(output) }
            },
            onFailure)
        source.withLock { $0 = started }
    }

    /// A new RPC takes over the output; the next frame is a keyframe so viewers can decode at once.
    public func outputs() -> AsyncStream<CaptureOutput> {
        let (stream, continuation) = AsyncStream<CaptureOutput>.makeStream(bufferingPolicy: .bufferingNewest(16))
        if let shape = cursorShape.withLock({ $0 }) { continuation.yield(.event(shape)) }
        current.withLock { old in
            old?.finish()
            old = continuation
        }
        requestKeyframe()
        return stream
    }

    public func requestKeyframe() { source.withLock { $0 }?.requestKeyframe() }
    public func setBitrate(kbps: Int) { source.withLock { $0 }?.setBitrate(kbps: kbps) }

    /// Viewer input; a positional event computed for another frame size is dropped (the page
    /// has not seen the resize yet, so its fractions point elsewhere).
    public func input(_ event: Marionette_Runner_V1_InputEvent) {
        if event.frameWidth > 0, event.frameHeight > 0, let size = frameSize.withLock({ $0 }),
            size != (Int(event.frameWidth), Int(event.frameHeight))
        {
            return
        }
        source.withLock { $0 }?.input(event)
    }

    public func clipboard(_ set: Marionette_Runner_V1_ClipboardSet) { source.withLock { $0 }?.clipboard(set) }

    /// Stops capture until `start` (disconnected); the stream itself goes on.
    func pause() {
        current.withLock { $0?.finish(); $0 = nil }
        let stopped = source.withLock { source -> (any CaptureSource)? in
            defer { source = nil }
            return source
        }
        stopped?.stop()  // joins the source's threads: outside the lock its sink takes
    }

    func stop() { pause() }
}
