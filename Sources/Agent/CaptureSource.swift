import Capture
import Fabric

/// A running capture pipeline of one stream (testsrc, desktop) as `MediaSourceHandle` drives it.
/// Implementations own their threads; every call returns at once.
public protocol CaptureSource: Sendable {
    /// Force a keyframe on the next encoded frame (PLI/FIR from the SFU, already throttled).
    func requestKeyframe()
    /// New CBR target from the SFU's `BitrateTarget`.
    func setBitrate(kbps: Int)
    /// Viewer input (`MediaDown.input`), already checked against the current capture size.
    func input(_ event: Marionette_Runner_V1_InputEvent)
    /// `MediaDown.clipboard`.
    func clipboard(_ set: Marionette_Runner_V1_ClipboardSet)
    /// Ends the pipeline and waits for its threads.
    func stop()
}

/// How a source reports a failure that ends it (runner-protocol.md §11 `StreamStatus`).
public struct CaptureFailure: Error, Sendable, Equatable {
    /// `display_unavailable`, `source_failed`, …
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// What the `Media` call announces about a source's video track (and audio track, if any).
public struct CaptureTrackSpec: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var framesPerSecond: Int
    public var bitrateKbps: Int
    public var codec: String
    /// `opus` when the source also sends an audio track (48 kHz stereo); nil for video only.
    public var audioCodec: String?

    public init(width: Int, height: Int, framesPerSecond: Int, bitrateKbps: Int, codec: String, audioCodec: String? = nil) {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        self.bitrateKbps = bitrateKbps
        self.codec = codec
        self.audioCodec = audioCodec
    }
}

/// What a source hands to its stream's `Media` call: encoded frames, and (desktop) cursor and
/// clipboard changes.
public enum CaptureOutput: Sendable, Equatable {
    case frame(EncodedFrame)
    case event(DesktopSourceEvent)
}

/// Starts a source: its output goes to `emit` (on the source's threads, possibly two at once;
/// must not block), a fatal failure to `fail` (once; the source has stopped by itself).
public typealias CaptureSourceFactory = @Sendable (
    _ emit: @escaping @Sendable (CaptureOutput) -> Void, _ fail: @escaping @Sendable (CaptureFailure) -> Void
) throws -> any CaptureSource

/// testsrc takes no input.
struct TestPatternCaptureSource: CaptureSource {
    let runner: TestSourceRunner

    static func factory(_ configuration: TestSourceRunner.Configuration) -> CaptureSourceFactory {
        { emit, fail in
            let runner = try TestSourceRunner(
                configuration: configuration,
                onFailure: { error in fail(CaptureFailure(code: "source_failed", message: "\(error)")) },
                sink: { emit(.frame($0)) })
            return TestPatternCaptureSource(runner: runner)
        }
    }

    func requestKeyframe() { runner.requestKeyframe() }
    func setBitrate(kbps: Int) { runner.setBitrate(kbps: kbps) }
    func input(_ event: Marionette_Runner_V1_InputEvent) {}
    func clipboard(_ set: Marionette_Runner_V1_ClipboardSet) {}
    func stop() { runner.stop() }
}
