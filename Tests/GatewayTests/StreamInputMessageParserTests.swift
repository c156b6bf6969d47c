import Fabric
import Testing

@testable import Gateway

/// The input WebSocket's client messages (api.md §10.4) → runner messages, and every way a
/// message can be wrong.
@Suite struct StreamInputMessageParserTests {
    let desktop = StreamInputMessageParser(android: false)
    let android = StreamInputMessageParser(android: true)

    func input(_ text: String, _ parser: StreamInputMessageParser? = nil) throws -> Marionette_Runner_V1_InputEvent {
        guard case .runner(let message) = try (parser ?? desktop).parse(text, viewerID: "vwr_1", nowUnixMs: 42), case .input(let event)? = message.payload else {
            Issue.record("not an input event: \(text)")
            return Marionette_Runner_V1_InputEvent()
        }
        return event
    }

    func error(_ text: String, _ parser: StreamInputMessageParser? = nil) -> StreamInputMessageError? {
        do {
            _ = try (parser ?? desktop).parse(text, viewerID: "vwr_1", nowUnixMs: 42)
            return nil
        } catch { return error }
    }

    @Test func pointerMessages() throws {
        let move = try input(#"{"type":"mouse_move","x":0.25,"y":0.5,"frame_width":1280,"frame_height":720}"#)
        #expect(move.viewerID == "vwr_1" && move.timestampUnixMs == 42)
        #expect(move.mouse.action == .move && move.mouse.x == 0.25 && move.mouse.y == 0.5)
        #expect(move.frameWidth == 1280 && move.frameHeight == 720)
        let click = try input(#"{"type":"mouse_button","button":"right","action":"down","x":1,"y":0}"#)
        #expect(click.mouse.action == .down && click.mouse.button == 2)
        let forward = try input(#"{"type":"mouse_button","button":"forward","action":"up","x":0.1,"y":0.1}"#)
        #expect(forward.mouse.action == .up && forward.mouse.button == 4)
        let wheel = try input(#"{"type":"wheel","dy":-120}"#)
        #expect(wheel.wheel.dx == 0 && wheel.wheel.dy == -120 && wheel.wheel.mode == 0)
        #expect(try input(#"{"type":"wheel","dx":3,"dy":0,"mode":1,"x":0.5,"y":0.5}"#).wheel.mode == 1)
    }

    @Test func keysTextAndClipboard() throws {
        let key = try input(#"{"type":"key","code":"KeyA","key":"a","action":"down","keysym":97,"repeat":true}"#)
        #expect(key.key.code == "KeyA" && key.key.key == "a" && key.key.action == .down && key.key.keysym == 97 && key.key.repeat)
        #expect(try input(#"{"type":"key","key":"Enter","action":"up"}"#).key.action == .up)
        #expect(try input(#"{"type":"text","text":"héllo ✓"}"#).text.text == "héllo ✓")
        guard case .runner(let clip) = try desktop.parse(#"{"type":"clipboard","text":"x","paste":true}"#, viewerID: "v", nowUnixMs: 0)
        else { Issue.record("clipboard"); return }
        #expect(clip.clipboard.text == "x" && clip.clipboard.paste)
    }

    @Test func controlAndPing() throws {
        #expect(try desktop.parse(#"{"type":"ping"}"#, viewerID: "v", nowUnixMs: 0) == .ping)
        #expect(try desktop.parse(#"{"type":"control","action":"request"}"#, viewerID: "v", nowUnixMs: 0) == .control(request: true))
        #expect(try desktop.parse(#"{"type":"control","action":"release"}"#, viewerID: "v", nowUnixMs: 0) == .control(request: false))
    }

    @Test func androidMessagesOnlyOnAndroidStreams() throws {
        let touch = try input(#"{"type":"touch","action":"move","pointer_id":3,"x":0.5,"y":0.5,"pressure":0.5}"#, android)
        #expect(touch.touch.action == .move && touch.touch.pointerID == 3 && touch.touch.pressure == 0.5)
        #expect(try input(#"{"type":"android_key","keycode":4,"action":"down"}"#, android).key.androidKeycode == 4)
        #expect(try input(#"{"type":"android_button","button":"home"}"#, android).button.name == "home")
        #expect(error(#"{"type":"touch","action":"down","pointer_id":0,"x":0,"y":0}"#)?.code == "unsupported_input")
        #expect(error(#"{"type":"android_button","button":"home"}"#)?.code == "unsupported_input")
    }

    @Test(arguments: [
        "", "not json", "[]", "{}", #"{"type":""}"#, #"{"type":5}"#,
        #"{"type":"mouse_move"}"#, #"{"type":"mouse_move","x":1.5,"y":0}"#, #"{"type":"mouse_move","x":-0.1,"y":0}"#,
        #"{"type":"mouse_move","x":"0.5","y":0.5}"#,
        #"{"type":"mouse_button","button":"left","action":"down"}"#,
        #"{"type":"mouse_button","button":"thumb","action":"down","x":0,"y":0}"#,
        #"{"type":"mouse_button","button":"left","action":"press","x":0,"y":0}"#,
        #"{"type":"wheel"}"#, #"{"type":"wheel","dy":1e9}"#, #"{"type":"wheel","dy":1,"mode":3}"#,
        #"{"type":"key","action":"down"}"#, #"{"type":"key","code":"KeyA"}"#, #"{"type":"key","code":"KeyA","action":"down","keysym":0}"#,
        #"{"type":"text","text":""}"#, #"{"type":"text"}"#, #"{"type":"clipboard"}"#,
        #"{"type":"control","action":"steal"}"#, #"{"type":"mouse_move","x":0,"y":0,"frame_width":0}"#,
    ])
    func malformedMessagesAreRefused(_ text: String) {
        #expect(error(text)?.code == "invalid_message")
    }

    @Test func unknownTypesAndOversizedText() {
        #expect(error(#"{"type":"teleport"}"#)?.code == "unknown_type")
        let long = String(repeating: "a", count: StreamInputMessageParser.maxTextBytes + 1)
        #expect(error(#"{"type":"text","text":"\#(long)"}"#)?.code == "invalid_message")
    }
}
