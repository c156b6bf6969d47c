import Capture
import Fabric
import Foundation
import GRPCCore
import Logging

/// One stream's `Media` RPC on one connection (runner-protocol.md §11): `start`, then every encoded
/// frame; keyframe requests and bitrate targets from the server go to the source. Reopened (after
/// a second) while the connection lasts if the server ends it.
struct MediaUploader<Transport: ClientTransport>: Sendable {
    let client: Marionette_Runner_V1_RunnerService.Client<Transport>
    let metadata: Metadata
    let logger: Logger

    func publish(_ start: Marionette_Runner_V1_MediaStart, _ source: MediaSourceHandle) async {
        while !Task.isCancelled {
            do {
                try await client.media(
                    metadata: metadata,
                    requestProducer: { writer in
                        var first = Marionette_Runner_V1_MediaUp()
                        first.start = start
                        try await writer.write(first)
                        var sentSize = (0, 0)
                        for await output in source.outputs() {
                            var message = Marionette_Runner_V1_MediaUp()
                            switch output {
                            case .frame(let frame):
                                let video = frame.trackID == "video"
                                message.frame = Self.frame(frame, announceSize: video && sentSize != (frame.width, frame.height))
                                if video { sentSize = (frame.width, frame.height) }
                            case .event(let event):
                                message = Self.message(event)
                            }
                            try await writer.write(message)
                        }
                    },
                    onResponse: { response in
                        for try await message in response.messages {
                            switch message.payload {
                            case .keyframeRequest: source.requestKeyframe()
                            case .bitrateTarget(let target) where target.bitrateKbps > 0: source.setBitrate(kbps: Int(target.bitrateKbps))
                            case .input(let event): source.input(event)
                            case .clipboard(let set): source.clipboard(set)
                            case .stop: return
                            default: continue
                            }
                        }
                    })
            } catch where !Task.isCancelled {
                logger.warning("media stream ended", metadata: ["stream_id": "\(start.streamID)", "error": "\(error)"])
            } catch {
                return
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Cursor and clipboard changes as runner-protocol.md §11 `MediaUp` messages.
    static func message(_ event: DesktopSourceEvent) -> Marionette_Runner_V1_MediaUp {
        var message = Marionette_Runner_V1_MediaUp()
        switch event {
        case .cursorImage(let serial, let png, let width, let height, let xhot, let yhot):
            var cursor = Marionette_Runner_V1_CursorImage()
            cursor.serial = Int64(serial)
            cursor.png = Data(png)
            cursor.width = Int32(width)
            cursor.height = Int32(height)
            cursor.xhot = Int32(xhot)
            cursor.yhot = Int32(yhot)
            message.cursor = cursor
        case .cursorPosition(let x, let y):
            var position = Marionette_Runner_V1_CursorPosition()
            position.x = Float(x)
            position.y = Float(y)
            message.cursorPosition = position
        case .clipboard(let text):
            var clipboard = Marionette_Runner_V1_ClipboardUpdate()
            clipboard.text = text
            message.clipboard = clipboard
        }
        return message
    }

    static func frame(_ frame: EncodedFrame, announceSize: Bool) -> Marionette_Runner_V1_MediaFrame {
        var message = Marionette_Runner_V1_MediaFrame()
        message.trackID = frame.trackID
        message.ptsUs = frame.ptsMicroseconds
        message.durationUs = frame.durationMicroseconds
        message.keyframe = frame.keyframe
        message.data = Data(frame.data)
        if announceSize {
            message.width = Int32(frame.width)
            message.height = Int32(frame.height)
            message.codec = frame.codec
        }
        return message
    }
}
