import Capture
import Fabric
import Foundation
import Logging
import Synchronization

/// An `android` stream's source: `AndroidSourceRunner` (scrcpy over adb on its own threads) behind
/// `CaptureSource`. Viewer input becomes scrcpy control messages (`AndroidInputMapper`), key-frame
/// requests become rate-limited RESET_VIDEO, and the device clipboard goes up as clipboard events.
final class AndroidCaptureSource: CaptureSource {
    let runner: AndroidSourceRunner
    /// Input arrives from the Media RPC's task; the mapper's finger state is shared across calls.
    let mapper = Mutex(AndroidInputMapper())

    init(runner: AndroidSourceRunner) {
        self.runner = runner
    }

    /// api.md §10.1 defaults: max size 1920, 60 fps, 8,000 kbit/s, H.264. The track's size is the
    /// device's, known only once it streams (each frame carries it).
    static func factory(_ command: Marionette_Runner_V1_StartStream, logger: Logger) -> (CaptureTrackSpec, CaptureSourceFactory) {
        let config = command.config
        let maxSize = config.maxSize > 0 ? Int(config.maxSize) : 1920
        let fps = config.frameRate > 0 ? Int(config.frameRate) : 60
        let bitrate = config.bitrateKbps > 0 ? Int(config.bitrateKbps) : 8000
        let spec = CaptureTrackSpec(
            width: 0, height: 0, framesPerSecond: fps, bitrateKbps: bitrate, codec: "h264", audioCodec: config.audioEnabled ? "opus" : nil)
        let streamID = command.streamID
        return (
            spec,
            { emit, fail in
                let configuration: AndroidSourceRunner.Configuration
                do throws(AndroidCaptureError) {
                    configuration = AndroidSourceRunner.Configuration(
                        trackID: "video", serial: config.deviceSerial.isEmpty ? nil : config.deviceSerial, maxSize: maxSize,
                        maxFPS: fps, bitrateKbps: bitrate, audio: config.audioEnabled, control: config.inputEnabled,
                        adbPath: try ADB.locate(), serverPath: try ScrcpyServerBinary.locate(version: .v3_3_4))
                    let runner = try AndroidSourceRunner(
                        configuration: configuration,
                        onEvent: { event in
                            switch event {
                            case .frame(let frame): emit(.frame(frame))
                            case .clipboard(let text): emit(.event(.clipboard(text)))
                            case .serverLog(let line):
                                logger.info("scrcpy server", metadata: ["stream_id": "\(streamID)", "line": "\(line)"])
                            case .started(let name):
                                logger.info("android device streaming", metadata: ["stream_id": "\(streamID)", "device": "\(name)"])
                            }
                        },
                        onFailure: { error in fail(CaptureFailure(code: error.statusCode, message: error.description)) })
                    return AndroidCaptureSource(runner: runner)
                } catch {
                    throw CaptureFailure(code: error.statusCode, message: error.description)
                }
            }
        )
    }

    func requestKeyframe() { runner.requestKeyframe() }
    /// The device encoder's bit rate is fixed per session (a change would need an encoder restart).
    func setBitrate(kbps: Int) {}
    func stop() { runner.stop() }

    func input(_ event: Marionette_Runner_V1_InputEvent) {
        let size = runner.videoSize
        let messages = mapper.withLock { $0.messages(for: event, size: size) }
        for message in messages { runner.send(message) }
    }

    func clipboard(_ set: Marionette_Runner_V1_ClipboardSet) {
        runner.send(.setClipboard(sequence: 0, paste: set.paste, text: set.text))
    }
}
