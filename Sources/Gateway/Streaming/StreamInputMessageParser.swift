import Fabric
import Foundation

/// Parses and validates the input WebSocket's JSON text frames (api.md §10.4) into runner
/// messages (runner-protocol.md §11). Pure: no I/O, so every malformed case is unit-tested; a bad
/// message becomes a `StreamInputMessageError`, never a crash.
struct StreamInputMessageParser: Sendable {
    static let maxTextBytes = 64 * 1024
    static let maxClipboardBytes = 200 * 1024
    static let maxFrameSide = 16_384

    /// Android-only messages are refused on other stream types (the runner could not use them).
    let android: Bool

    /// Every field any message may carry; each type checks the ones it needs.
    private struct Raw: Decodable {
        var type: String?
        var x: Double?
        var y: Double?
        var button: String?
        var action: String?
        var dx: Double?
        var dy: Double?
        var mode: Int?
        var code: String?
        var key: String?
        var keysym: Int64?
        var `repeat`: Bool?
        var text: String?
        var paste: Bool?
        var pointerID: Int64?
        var pressure: Double?
        var keycode: Int?
        var frameWidth: Int?
        var frameHeight: Int?

        enum CodingKeys: String, CodingKey {
            case type, x, y, button, action, dx, dy, mode, code, key, keysym, `repeat`, text, paste, keycode
            case pointerID = "pointer_id", pressure, frameWidth = "frame_width", frameHeight = "frame_height"
        }
    }

    static let mouseButtons = ["left": 0, "middle": 1, "right": 2, "back": 3, "forward": 4]
    static let androidButtons: Set = ["back", "home", "app_switch", "power", "volume_up", "volume_down", "rotate"]

    func parse(_ text: String, viewerID: String, nowUnixMs: Int64) throws(StreamInputMessageError) -> StreamInputCommand {
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(text.utf8))
        } catch {
            throw .invalid("not a JSON object with the fields of api.md §10.4: \(Self.describe(error))")
        }
        guard let type = raw.type, !type.isEmpty else { throw .invalid("missing \"type\"") }
        var event = Marionette_Runner_V1_InputEvent()
        event.viewerID = viewerID
        event.timestampUnixMs = nowUnixMs
        if let width = raw.frameWidth { event.frameWidth = Int32(try Self.side(width, "frame_width")) }
        if let height = raw.frameHeight { event.frameHeight = Int32(try Self.side(height, "frame_height")) }
        switch type {
        case "ping":
            return .ping
        case "control":
            switch raw.action {
            case "request": return .control(request: true)
            case "release": return .control(request: false)
            default: throw .invalid("control needs \"action\": \"request\" or \"release\"")
            }
        case "mouse_move":
            var mouse = Marionette_Runner_V1_MouseEvent()
            mouse.action = .move
            (mouse.x, mouse.y) = try Self.position(raw, required: true)
            event.mouse = mouse
        case "mouse_button":
            var mouse = Marionette_Runner_V1_MouseEvent()
            guard let name = raw.button, let button = Self.mouseButtons[name] else {
                throw .invalid("mouse_button needs \"button\": left, middle, right, back or forward")
            }
            mouse.button = Int32(button)
            mouse.action = try Self.upDown(raw.action, "mouse_button") ? .down : .up
            (mouse.x, mouse.y) = try Self.position(raw, required: true)
            event.mouse = mouse
        case "wheel":
            var wheel = Marionette_Runner_V1_WheelEvent()
            guard let dx = raw.dx ?? (raw.dy != nil ? 0 : nil), let dy = raw.dy ?? (raw.dx != nil ? 0 : nil) else {
                throw .invalid("wheel needs \"dx\" and/or \"dy\" (DOM deltaX/deltaY)")
            }
            guard dx.isFinite, dy.isFinite, abs(dx) <= 100_000, abs(dy) <= 100_000 else {
                throw .invalid("wheel deltas must be finite and within ±100000")
            }
            wheel.dx = Float(dx)
            wheel.dy = Float(dy)
            let mode = raw.mode ?? 0
            guard (0...2).contains(mode) else { throw .invalid("wheel \"mode\" is 0 (pixels), 1 (lines) or 2 (pages)") }
            wheel.mode = Int32(mode)
            if raw.x != nil || raw.y != nil { (wheel.x, wheel.y) = try Self.position(raw, required: true) }
            event.wheel = wheel
        case "key":
            var key = Marionette_Runner_V1_KeyEvent()
            key.action = try Self.upDown(raw.action, "key") ? .down : .up
            key.code = raw.code ?? ""
            key.key = raw.key ?? ""
            guard !key.code.isEmpty || !key.key.isEmpty else { throw .invalid("key needs \"code\" and/or \"key\" (DOM KeyboardEvent)") }
            guard key.code.utf8.count <= 64, key.key.utf8.count <= 64 else { throw .invalid("key \"code\"/\"key\" longer than 64 bytes") }
            if let keysym = raw.keysym {
                guard (1...0x1fff_ffff).contains(keysym) else { throw .invalid("\"keysym\" must be an X keysym (1…0x1fffffff)") }
                key.keysym = Int32(keysym)
            }
            key.repeat = raw.repeat ?? false
            event.key = key
        case "text":
            guard let text = raw.text, !text.isEmpty else { throw .invalid("text needs a non-empty \"text\"") }
            guard text.utf8.count <= Self.maxTextBytes else { throw .invalid("text is over 64 KiB; use clipboard with paste") }
            var message = Marionette_Runner_V1_TextEvent()
            message.text = text
            event.text = message
        case "clipboard":
            guard let text = raw.text else { throw .invalid("clipboard needs \"text\"") }
            guard text.utf8.count <= Self.maxClipboardBytes else { throw .invalid("clipboard text is over 200 KiB") }
            var clipboard = Marionette_Runner_V1_ClipboardSet()
            clipboard.text = text
            clipboard.paste = raw.paste ?? false
            var message = Marionette_Runner_V1_MediaDown()
            message.clipboard = clipboard
            return .runner(message)
        case "touch":
            try requireAndroid(type)
            var touch = Marionette_Runner_V1_TouchEvent()
            switch raw.action {
            case "down": touch.action = .down
            case "move": touch.action = .move
            case "up": touch.action = .up
            case "cancel": touch.action = .cancel
            default: throw .invalid("touch needs \"action\": down, move, up or cancel")
            }
            guard let pointer = raw.pointerID, (0...Int64(UInt32.max)).contains(pointer) else {
                throw .invalid("touch needs \"pointer_id\" ≥ 0")
            }
            touch.pointerID = pointer
            (touch.x, touch.y) = try Self.position(raw, required: true)
            let pressure = raw.pressure ?? 1
            guard pressure.isFinite, (0...1).contains(pressure) else { throw .invalid("\"pressure\" must be in [0, 1]") }
            touch.pressure = Float(pressure)
            event.touch = touch
        case "android_key":
            try requireAndroid(type)
            guard let keycode = raw.keycode, (0...1000).contains(keycode) else {
                throw .invalid("android_key needs \"keycode\" (an Android KeyEvent keycode)")
            }
            var key = Marionette_Runner_V1_KeyEvent()
            key.action = try Self.upDown(raw.action, "android_key") ? .down : .up
            key.androidKeycode = Int32(keycode)
            key.repeat = raw.repeat ?? false
            event.key = key
        case "android_button":
            try requireAndroid(type)
            guard let name = raw.button, Self.androidButtons.contains(name) else {
                throw .invalid("android_button needs \"button\": \(Self.androidButtons.sorted().joined(separator: ", "))")
            }
            var button = Marionette_Runner_V1_DeviceButton()
            button.name = name
            event.button = button
        default:
            throw StreamInputMessageError(code: "unknown_type", message: "unknown message type \"\(type.prefix(64))\"")
        }
        var message = Marionette_Runner_V1_MediaDown()
        message.input = event
        return .runner(message)
    }

    private func requireAndroid(_ type: String) throws(StreamInputMessageError) {
        guard android else {
            throw StreamInputMessageError(code: "unsupported_input", message: "\(type) is only for android streams")
        }
    }

    private static func position(_ raw: Raw, required: Bool) throws(StreamInputMessageError) -> (Float, Float) {
        guard let x = raw.x, let y = raw.y else { throw .invalid("\"x\" and \"y\" (fractions 0…1 of the video frame) are required") }
        guard x.isFinite, y.isFinite, (0...1).contains(x), (0...1).contains(y) else {
            throw .invalid("\"x\" and \"y\" must be fractions in [0, 1] of the video frame")
        }
        return (Float(x), Float(y))
    }

    /// true for down, false for up.
    private static func upDown(_ action: String?, _ type: String) throws(StreamInputMessageError) -> Bool {
        switch action {
        case "down": return true
        case "up": return false
        default: throw .invalid("\(type) needs \"action\": \"down\" or \"up\"")
        }
    }

    private static func side(_ value: Int, _ name: String) throws(StreamInputMessageError) -> Int {
        guard (1...maxFrameSide).contains(value) else { throw .invalid("\"\(name)\" must be 1…\(maxFrameSide)") }
        return value
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "wrong JSON type" : "\"\(path)\" has the wrong type"
        default:
            return "malformed JSON"
        }
    }
}
