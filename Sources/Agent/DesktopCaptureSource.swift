import Capture
import Fabric

/// A `desktop` stream's source: `DesktopSourceRunner` (X11 grab → I420 → VP8/VP9 on its own thread,
/// XTest input on another) and, with `audio`, `DesktopAudioRunner` (PulseAudio → Opus on a third)
/// behind `CaptureSource`, with the runner-protocol input messages mapped to `DesktopInput`.
struct DesktopCaptureSource: CaptureSource {
    let runner: DesktopSourceRunner
    /// `"audio": true`: the desktop's sound (PulseAudio monitor → Opus) on the video's clock.
    let audio: DesktopAudioRunner?

    /// streaming.md §5.2 defaults: display `:99`, Xvfb 1920×1080 when it must be started (the
    /// default), 30 fps, 2,500 kbit/s, VP8 unless the stream asked for VP9.
    static func factory(_ command: Marionette_Runner_V1_StartStream) -> (CaptureTrackSpec, CaptureSourceFactory) {
        let config = command.config
        let codec = Result { () throws(CaptureFailure) in try VideoCodecChoice.vpx(config.videoCodec, type: command.type) }
        let configuration = DesktopSourceRunner.Configuration(
            trackID: "video", display: config.display.isEmpty ? ":99" : config.display,
            width: config.width > 0 ? Int(config.width) : 1920, height: config.height > 0 ? Int(config.height) : 1080,
            framesPerSecond: config.frameRate > 0 ? Int(config.frameRate) : 30,
            bitrateKbps: config.bitrateKbps > 0 ? Int(config.bitrateKbps) : 2500, codec: (try? codec.get()) ?? .vp8,
            startXvfb: config.xvfb)
        let spec = CaptureTrackSpec(
            width: configuration.width, height: configuration.height, framesPerSecond: configuration.framesPerSecond,
            bitrateKbps: configuration.bitrateKbps, codec: configuration.codec.rawValue,
            audioCodec: config.audioEnabled ? "opus" : nil)
        let withAudio = config.audioEnabled
        return (
            spec,
            { emit, fail in
                _ = try codec.get()  // an unknown codec fails the stream's start with its reason
                var configuration = configuration
                configuration.clockOrigin = CaptureClock.monotonicNanoseconds()
                let runner: DesktopSourceRunner
                do throws(DesktopCaptureError) {
                    runner = try DesktopSourceRunner(
                        configuration: configuration,
                        onStatus: { status in
                            if case .failed(let code, let message) = status { fail(CaptureFailure(code: code, message: message)) }
                        },
                        onEvent: { emit(.event($0)) },
                        sink: { emit(.frame($0)) })
                } catch {
                    throw CaptureFailure(code: error.statusCode, message: error.description)
                }
                // Audio that cannot start (no PulseAudio) fails the stream with its reason: the
                // viewer asked for sound and would otherwise get silence without knowing why.
                let audio = withAudio
                    ? DesktopAudioRunner(
                        clockOrigin: configuration.clockOrigin ?? 0,
                        onFailure: { fail(CaptureFailure(code: $0.statusCode, message: $0.description)) },
                        sink: { emit(.frame($0)) })
                    : nil
                return DesktopCaptureSource(runner: runner, audio: audio)
            }
        )
    }

    func requestKeyframe() { runner.requestKeyframe() }
    func setBitrate(kbps: Int) { runner.setBitrate(kbps: kbps) }
    func stop() {
        audio?.stop()
        runner.stop()
    }

    func input(_ event: Marionette_Runner_V1_InputEvent) {
        guard let input = Self.desktopInput(event) else { return }
        runner.inject(input)
    }

    func clipboard(_ set: Marionette_Runner_V1_ClipboardSet) {
        runner.inject(.clipboard(text: set.text, paste: set.paste))
    }

    static let buttons: [DesktopMouseButton] = [.left, .middle, .right, .back, .forward]

    /// runner-protocol.md §11 input → XTest input. nil for what a desktop cannot use (touch,
    /// device buttons) and for key repeats (the X server repeats held keys by itself, api.md
    /// §10.4). An event without a payload means the viewer's control ended: release everything.
    static func desktopInput(_ event: Marionette_Runner_V1_InputEvent) -> DesktopInput? {
        switch event.event {
        case nil:
            return .releaseAll
        case .mouse(let mouse):
            let x = Double(mouse.x)
            let y = Double(mouse.y)
            switch mouse.action {
            case .move: return .pointerMove(x: x, y: y)
            case .down, .up:
                guard buttons.indices.contains(Int(mouse.button)) else { return nil }
                return .pointerButton(buttons[Int(mouse.button)], down: mouse.action == .down, x: x, y: y)
            default: return nil
            }
        case .wheel(let wheel):
            return .wheel(dx: Double(wheel.dx), dy: Double(wheel.dy), mode: Int(wheel.mode))
        case .key(let key):
            guard key.action == .down || key.action == .up, !(key.repeat && key.action == .down) else { return nil }
            return .key(code: key.code, key: key.key, keysym: key.keysym > 0 ? UInt32(key.keysym) : nil, down: key.action == .down)
        case .text(let text):
            return .text(text.text)
        case .touch, .button:
            return nil
        }
    }
}
