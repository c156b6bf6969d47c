import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// XTestInjector and DesktopInputWorker against a real Xvfb, checked by a separate X client.
@Suite(.serialized, .enabled(if: DesktopTestDisplay.enabled, DesktopTestDisplay.skipReason))
struct DesktopInputTests {
    @Test func pointerMoveLandsOnTheScaledPixel() throws {
        let display = try DesktopTestDisplay(width: 640, height: 480)
        let injector = try XTestInjector(display: display.display)
        let window = try DesktopTestWindow(display: display.display)
        injector.inject(.pointerMove(x: 0.25, y: 0.5))
        #expect(
            DesktopTestDisplay.wait { window.pointer()! == (160, 240) },
            "pointer at \(String(describing: window.pointer()))")
        injector.inject(.pointerMove(x: 1, y: 1))  // clamped to the last pixel
        #expect(DesktopTestDisplay.wait { window.pointer()! == (639, 479) })
        injector.inject(.pointerMove(x: 0, y: 0))
        #expect(DesktopTestDisplay.wait { window.pointer()! == (0, 0) })
        // xdotool agrees.
        let location = try display.run("xdotool", "getmouselocation")
        #expect(location.hasPrefix("x:0 y:0"), "\(location)")
    }

    @Test func typedTextArrivesAsKeyEvents() throws {
        let display = try DesktopTestDisplay()
        let injector = try XTestInjector(display: display.display)
        let window = try DesktopTestWindow(display: display.display)
        injector.inject(.text("Hello, World!"))
        // 13 characters, 3 of them with Shift: 16 releases.
        window.collect { $0.filter { if case .keyRelease = $0 { true } else { false } }.count >= 16 }
        #expect(window.typedText == "Hello, World!")
        // H, W and ! were typed with Shift held by the injector.
        let shifted = window.events.compactMap { event -> UInt32? in
            guard case .keyPress(let keysym, let state) = event, state & 1 != 0 else { return nil }
            return keysym
        }
        #expect(shifted == [0x48, 0x57, 0x21])
        #expect(injector.pressedKeycodes.isEmpty)

        // Characters outside the keymap go through a remapped spare keycode.
        window.clear()
        injector.inject(.text("é€ж"))
        window.collect { _ in window.typedText == "é€ж" }
        #expect(window.typedText == "é€ж")
    }

    @Test func keyDownUpWithCodesAndRemaps() throws {
        let display = try DesktopTestDisplay()
        let injector = try XTestInjector(display: display.display)
        let window = try DesktopTestWindow(display: display.display)
        // Shift held by the viewer, then "A": the injector uses the held Shift.
        injector.inject(.key(code: "ShiftLeft", key: "Shift", keysym: nil, down: true))
        injector.inject(.key(code: "KeyA", key: "A", keysym: nil, down: true))
        injector.inject(.key(code: "KeyA", key: "A", keysym: nil, down: true))  // browser auto-repeat: ignored
        injector.inject(.key(code: "KeyA", key: "A", keysym: nil, down: false))
        injector.inject(.key(code: "ShiftLeft", key: "Shift", keysym: nil, down: false))
        // A key the map lacks, held across a second key: its remapped keycode stays until key-up.
        injector.inject(.key(code: "KeyE", key: "€", keysym: nil, down: true))
        injector.inject(.key(code: "Enter", key: "Enter", keysym: nil, down: true))
        injector.inject(.key(code: "Enter", key: "Enter", keysym: nil, down: false))
        #expect(injector.pressedKeycodes.count == 1)
        injector.inject(.key(code: "KeyE", key: "€", keysym: nil, down: false))
        // A keysym computed by the page wins over key/code.
        injector.inject(.key(code: "KeyQ", key: "q", keysym: 0x7a, down: true))
        injector.inject(.key(code: "KeyQ", key: "q", keysym: 0x7a, down: false))
        window.collect { $0.filter { if case .keyRelease = $0 { true } else { false } }.count >= 5 }
        let presses = window.events.compactMap { if case .keyPress(let keysym, _) = $0 { keysym } else { nil } }
        #expect(presses == [0xffe1, 0x41, 0x0100_20ac, 0xff0d, 0x7a])
        #expect(injector.pressedKeycodes.isEmpty)
    }

    @Test func buttonsWheelAndReleaseAll() throws {
        let display = try DesktopTestDisplay(width: 640, height: 480)
        let injector = try XTestInjector(display: display.display)
        let window = try DesktopTestWindow(display: display.display, width: 200, height: 200)
        injector.inject(.pointerButton(.left, down: true, x: 0.1, y: 0.1))  // moves into the window first
        injector.inject(.pointerButton(.left, down: false, x: nil, y: nil))
        injector.inject(.pointerButton(.right, down: true, x: nil, y: nil))
        injector.inject(.pointerButton(.right, down: false, x: nil, y: nil))
        injector.inject(.wheel(dx: 0, dy: 100, mode: 0))  // scroll down: button 5
        injector.inject(.wheel(dx: 0, dy: -6, mode: 1))  // 2 notches up: button 4 twice
        injector.inject(.wheel(dx: -100, dy: 0, mode: 0))  // left: button 6
        injector.inject(.pointerButton(.back, down: true, x: nil, y: nil))
        injector.inject(.pointerButton(.back, down: false, x: nil, y: nil))
        let expected: [DesktopTestWindow.Event] = [
            .buttonPress(1), .buttonRelease(1), .buttonPress(3), .buttonRelease(3), .buttonPress(5), .buttonRelease(5),
            .buttonPress(4), .buttonRelease(4), .buttonPress(4), .buttonRelease(4), .buttonPress(6), .buttonRelease(6),
            .buttonPress(8), .buttonRelease(8),
        ]
        window.collect { $0.count >= expected.count }
        #expect(window.events == expected)

        // releaseAll lets go of everything held.
        window.clear()
        injector.inject(.pointerButton(.middle, down: true, x: nil, y: nil))
        injector.inject(.key(code: "KeyB", key: "b", keysym: nil, down: true))
        #expect(injector.heldButtons == [2] && injector.pressedKeycodes.count == 1)
        injector.inject(.releaseAll)
        window.collect { $0.count >= 4 }
        #expect(window.events.contains(.buttonRelease(2)) && window.events.contains(.keyRelease(keysym: 0x62)))
        #expect(injector.heldButtons.isEmpty && injector.pressedKeycodes.isEmpty)
    }

    @Test func workerInjectsOnItsThreadAndServesTheClipboard() throws {
        let display = try DesktopTestDisplay()
        let window = try DesktopTestWindow(display: display.display)
        let worker = try DesktopInputWorker(display: display.display)
        worker.submit(.text("ok"))
        worker.submit(.clipboard(text: "héllo € 1", paste: true))
        // Ctrl+V after owning the clipboard.
        window.collect { $0.contains { if case .keyPress(0x76, let state) = $0 { state & 4 != 0 } else { false } } }
        #expect(window.typedText.hasPrefix("ok"))
        #expect(window.events.contains { if case .keyPress(0x76, let state) = $0 { state & 4 != 0 } else { false } })
        // Another client reads the CLIPBOARD while the worker thread answers.
        #expect(window.readClipboard() == "héllo € 1")
        #expect(worker.statistics.injected == 2 && worker.statistics.dropped == 0)
        worker.stop()
        worker.stop()  // idempotent
    }
}
