import Capture
import Fabric
import Testing

@testable import Agent

/// Viewer input → scrcpy control messages (scrcpy.md §6.6, §6.7, §11.5), with the bytes the device
/// will read for the touch case.
@Suite struct AndroidInputMapperTests {
    static let size = (width: 720, height: 1280)

    func touch(_ action: Marionette_Runner_V1_TouchEvent.Action, id: Int64 = 0, x: Float, y: Float, pressure: Float = 1)
        -> Marionette_Runner_V1_InputEvent
    {
        var touch = Marionette_Runner_V1_TouchEvent()
        touch.action = action
        touch.pointerID = id
        touch.x = x
        touch.y = y
        touch.pressure = pressure
        var event = Marionette_Runner_V1_InputEvent()
        event.touch = touch
        return event
    }

    @Test func aTapBecomesDownAndUpInVideoPixelsStampedWithTheVideoSize() throws {
        var mapper = AndroidInputMapper()
        let down = mapper.messages(for: touch(.down, x: 0.5, y: 0.25), size: Self.size)
        let position = ScrcpyPosition(x: 360, y: 320, screenWidth: 720, screenHeight: 1280)
        #expect(down == [.injectTouchEvent(action: .down, pointerID: .touch(0), position: position, pressure: 1, actionButton: [], buttons: [])])
        #expect(try down[0].encoded(for: .v3_3_4) == [
            0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x68, 0x00, 0x00, 0x01, 0x40, 0x02, 0xD0, 0x05, 0x00, 0xFF, 0xFF,
            0, 0, 0, 0, 0, 0, 0, 0,
        ])
        let up = mapper.messages(for: touch(.up, x: 1, y: 1), size: Self.size)
        // x = 1.0 is the last pixel column, not one past it; UP has pressure 0.
        let corner = ScrcpyPosition(x: 719, y: 1279, screenWidth: 720, screenHeight: 1280)
        #expect(up == [.injectTouchEvent(action: .up, pointerID: .touch(0), position: corner, pressure: 0, actionButton: [], buttons: [])])
        // A move of a finger that is not down is a hover: nothing, as upstream.
        #expect(mapper.messages(for: touch(.move, x: 0.1, y: 0.1), size: Self.size).isEmpty)
        // Not streaming yet: no size, no positional input.
        #expect(mapper.messages(for: touch(.down, x: 0.5, y: 0.5), size: nil).isEmpty)
    }

    @Test func endOfControlLiftsEveryFinger() {
        var mapper = AndroidInputMapper()
        _ = mapper.messages(for: touch(.down, id: 3, x: 0.1, y: 0.1), size: Self.size)
        _ = mapper.messages(for: touch(.down, id: 4, x: 0.2, y: 0.2), size: Self.size)
        let released = mapper.messages(for: Marionette_Runner_V1_InputEvent(), size: Self.size)
        #expect(released.count == 2)
        #expect(mapper.pointers.isEmpty)
    }

    @Test func textKeysAndButtons() {
        var mapper = AndroidInputMapper()
        var text = Marionette_Runner_V1_InputEvent()
        text.text.text = "hello"
        #expect(mapper.messages(for: text, size: Self.size) == [.injectText("hello")])
        text.text.text = "héllo"  // INJECT_TEXT would skip é: the clipboard pastes it
        #expect(mapper.messages(for: text, size: Self.size) == [.setClipboard(sequence: 0, paste: true, text: "héllo")])
        #expect(AndroidInputMapper.textMessages(String(repeating: "a", count: 301)).count == 2)

        var key = Marionette_Runner_V1_InputEvent()
        key.key.action = .down
        key.key.androidKeycode = 4
        #expect(mapper.messages(for: key, size: Self.size) == [.injectKeycode(action: .down, keycode: .back, repeatCount: 0, metaState: [])])
        key.key.androidKeycode = 0
        key.key.key = "Enter"
        key.key.modifiers = 8
        #expect(mapper.messages(for: key, size: Self.size) == [
            .injectKeycode(action: .down, keycode: .enter, repeatCount: 0, metaState: [.shiftOn, .shiftLeftOn])
        ])
        key.key.key = "a"  // typed characters come as text
        #expect(mapper.messages(for: key, size: Self.size).isEmpty)

        var button = Marionette_Runner_V1_InputEvent()
        button.button.name = "back"
        #expect(mapper.messages(for: button, size: Self.size) == [.backOrScreenOn(action: .down), .backOrScreenOn(action: .up)])
        button.button.name = "app_switch"
        #expect(mapper.messages(for: button, size: Self.size) == [
            .injectKeycode(action: .down, keycode: .appSwitch, repeatCount: 0, metaState: []),
            .injectKeycode(action: .up, keycode: .appSwitch, repeatCount: 0, metaState: []),
        ])
        button.button.name = "rotate"
        #expect(mapper.messages(for: button, size: Self.size) == [.rotateDevice])
    }

    @Test func wheelNotchesFlipTheVerticalSign() {
        var mapper = AndroidInputMapper()
        var wheel = Marionette_Runner_V1_InputEvent()
        wheel.wheel.x = 0.5
        wheel.wheel.y = 0.5
        wheel.wheel.dy = 100  // one notch towards the user: content scrolls down
        let position = ScrcpyPosition(x: 360, y: 640, screenWidth: 720, screenHeight: 1280)
        #expect(mapper.messages(for: wheel, size: Self.size) == [.injectScrollEvent(position: position, hScroll: 0, vScroll: -1, buttons: [])])
        wheel.wheel.dy = -10_000
        #expect(mapper.messages(for: wheel, size: Self.size) == [.injectScrollEvent(position: position, hScroll: 0, vScroll: 16, buttons: [])])
    }
}
