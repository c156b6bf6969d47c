import Foundation
import Orchestrator

/// The server → client frames of the input WebSocket (api.md §10.4), as JSON text.
enum StreamInputJSON {
    /// JSON text frames up to 256 KiB (a clipboard paste).
    static let maxMessageBytes = 256 * 1024

    static func hello(
        streamID: String, streamType: String, viewerID: String, width: Int?, height: Int?, input: Bool, controller: Bool,
        state: String
    ) -> String {
        var object: [String: Any] = [
            "type": "hello", "stream_id": streamID, "stream_type": streamType, "viewer_id": viewerID, "input": input,
            "controller": controller, "state": state,
        ]
        if let width { object["width"] = width }
        if let height { object["height"] = height }
        return encode(object)
    }

    static func notice(_ notice: StreamInputNotice) -> String {
        switch notice {
        case .control(let state, let holder):
            var object: [String: Any] = ["type": "control", "state": state]
            object["holder"] = holder ?? NSNull()
            return encode(object)
        case .clipboard(let text):
            return encode(["type": "clipboard", "text": text])
        case .cursor(let png, let xhot, let yhot):
            return encode(["type": "cursor", "image": Data(png).base64EncodedString(), "xhot": xhot, "yhot": yhot])
        case .cursorPosition(let x, let y):
            return encode(["type": "cursor_position", "x": x, "y": y])
        case .resize(let width, let height):
            return encode(["type": "resize", "width": width, "height": height])
        case .state(let state):
            return encode(["type": "state", "state": state])
        }
    }

    static func error(code: String, message: String) -> String {
        encode(["type": "error", "code": code, "message": message])
    }

    private static func encode(_ object: [String: Any]) -> String {
        // Only strings, numbers, booleans and NSNull go in: serialization cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
