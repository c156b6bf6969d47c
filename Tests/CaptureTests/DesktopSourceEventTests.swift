import CXCB
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// DesktopSourceRunner's `onEvent` on a real Xvfb: cursor shapes (XFixes, PNG), pointer positions,
/// CLIPBOARD changes by other clients (plain and INCR, with timeouts) and no echo of the viewer's own
/// clipboard. Serialized: it measures idle CPU too.
@Suite(.serialized, .enabled(if: DesktopTestDisplay.enabled, DesktopTestDisplay.skipReason))
struct DesktopSourceEventTests {
    final class Recorder: Sendable {
        let events = Mutex<[DesktopSourceEvent]>([])
        let frames = Mutex(0)
        var list: [DesktopSourceEvent] { events.withLock { $0 } }
        var images: [DesktopSourceEvent] { list.filter { if case .cursorImage = $0 { true } else { false } } }
        var positions: [DesktopSourceEvent] { list.filter { if case .cursorPosition = $0 { true } else { false } } }
        var clipboards: [String] { list.compactMap { if case .clipboard(let text) = $0 { text } else { nil } } }

        func runner(_ display: DesktopTestDisplay, framesPerSecond: Int = 30) throws -> DesktopSourceRunner {
            try DesktopSourceRunner(
                configuration: .init(trackID: "desktop", display: display.display, framesPerSecond: framesPerSecond),
                onStatus: { _ in }, onEvent: { event in self.events.withLock { $0.append(event) } },
                sink: { _ in self.frames.withLock { $0 += 1 } })
        }
    }

    /// Another X client on its own connection that owns CLIPBOARD; its events are handled while the
    /// test waits (`pump`).
    final class OtherClient {
        let connection: X11Connection
        let owner: X11ClipboardOwner

        init(display: String) throws {
            connection = try X11Connection(display: display)
            owner = X11ClipboardOwner(connection: connection)
        }

        func pump() { connection.drainEvents { owner.handle($0) } }

        /// Waits for `condition` while answering clipboard requests.
        func wait(upTo seconds: Double = 5, until condition: () -> Bool) -> Bool {
            DesktopTestDisplay.wait(upTo: seconds) {
                pump()
                return condition()
            }
        }
    }

    @Test func pointerMovesArriveAsFractionsOfTheFrame() throws {
        let display = try DesktopTestDisplay(width: 640, height: 480)
        let recorder = Recorder()
        let runner = try recorder.runner(display)
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { !recorder.positions.isEmpty })
        try display.run("xdotool", "mousemove", "160", "240")
        #expect(DesktopTestDisplay.wait { recorder.positions.last == .cursorPosition(x: 0.25, y: 0.5) })
        try display.run("xdotool", "mousemove", "639", "0")
        #expect(DesktopTestDisplay.wait { recorder.positions.last == .cursorPosition(x: 639.0 / 640, y: 0) })
        // The viewer's own move (through XTEST) round-trips to the same fractions.
        runner.inject(.pointerMove(x: 0.75, y: 0.125))
        #expect(DesktopTestDisplay.wait { recorder.positions.last == .cursorPosition(x: 0.75, y: 0.125) })

        // Only changes are reported: a still pointer sends nothing.
        usleep(300_000)
        let count = recorder.positions.count
        usleep(500_000)
        #expect(recorder.positions.count == count)
        // Never two equal positions in a row.
        let positions = recorder.positions
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 != $1 })
    }

    @Test func pointerPositionsAreLimitedTo60PerSecond() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let recorder = Recorder()
        let runner = try recorder.runner(display, framesPerSecond: 120)
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { !recorder.positions.isEmpty })
        // A client moving the pointer every 2 ms for a second (XTEST on its own connection).
        let mover = try XTestInjector(display: display.display)
        let before = recorder.positions.count
        let start = ContinuousClock.now
        var step = 0
        while ContinuousClock.now - start < .seconds(1) {
            step += 1
            mover.inject(.pointerMove(x: Double(step % 100) / 100, y: 0.5))
            usleep(2000)
        }
        let moved = recorder.positions.count - before
        print("desktop cursor: \(step) pointer moves in 1 s at 120 fps gave \(moved) cursorPosition events")
        #expect(moved > 20 && moved <= 62, "\(moved) positions in a second")
    }

    @Test func cursorShapesArriveOncePerSerial() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let recorder = Recorder()
        let runner = try recorder.runner(display)
        defer { runner.stop() }
        // The first shape at start: Xvfb's default cursor.
        #expect(DesktopTestDisplay.wait { recorder.images.count >= 1 })
        guard case .cursorImage(let serial, let png, let width, let height, let xhot, let yhot)? = recorder.images.first
        else { return }
        let image = try DesktopPNGTestDecoder.decode(png)
        #expect(image.width == width && image.height == height && width > 0 && height > 0)
        #expect((0..<width).contains(xhot) && (0..<height).contains(yhot))
        #expect(image.rgba.enumerated().contains { $0.offset % 4 == 3 && $0.element == 255 }, "some opaque pixel")
        print("desktop cursor: default \(width)x\(height) hot \(xhot),\(yhot) serial \(serial), PNG \(png.count) bytes")

        // A live client sets root cursors from the core cursor font. (A cursor whose client has
        // exited, like xsetroot's, cannot be read: the SECURITY extension answers BadAccess.)
        let client = try RootCursorClient(display: display.display)
        client.set(glyph: 34)  // XC_crosshair
        #expect(DesktopTestDisplay.wait { recorder.images.count >= 2 })
        guard
            case .cursorImage(let crossSerial, let crossPNG, let crossWidth, let crossHeight, _, _)? =
                recorder.images.last
        else { return }
        #expect(crossSerial != serial && crossPNG != png)
        let cross = try DesktopPNGTestDecoder.decode(crossPNG)
        #expect(cross.width == crossWidth && cross.height == crossHeight)
        let crossImage = recorder.images.last

        // Back to the default: a shape seen before but not the last one sent is sent again, same serial.
        client.set(glyph: nil)
        #expect(DesktopTestDisplay.wait { recorder.images.count >= 3 })
        #expect(recorder.images.last == recorder.images.first)
        client.set(glyph: 34)
        #expect(DesktopTestDisplay.wait { recorder.images.count >= 4 })
        #expect(recorder.images.last == crossImage)
        #expect(recorder.images.count == 4)
        // Setting the same cursor again sends nothing.
        client.set(glyph: 34)
        usleep(300_000)
        #expect(recorder.images.count == 4)

        // An unreadable cursor (its client exited) sends nothing and does not disturb what follows.
        try display.run("xsetroot", "-cursor_name", "watch")
        usleep(300_000)
        #expect(recorder.images.count == 4)
        client.set(glyph: 0)  // XC_X_cursor
        #expect(DesktopTestDisplay.wait { recorder.images.count >= 5 })
        if case .cursorImage(let last, _, _, _, _, _)? = recorder.images.last {
            #expect(last != serial && last != crossSerial)
        }
        #expect(runner.failure == nil)
    }

    /// An X client that keeps its cursors alive and sets them on the root window.
    final class RootCursorClient {
        let connection: X11Connection
        private let font: xcb_font_t
        private var cursors: [UInt16: xcb_cursor_t] = [:]

        init(display: String) throws {
            connection = try X11Connection(display: display)
            font = xcb_generate_id(connection.connection)
            _ = xcb_open_font(connection.connection, font, 6, "cursor")
        }

        /// A glyph of the cursor font, or nil for the default (no cursor on the root).
        func set(glyph: UInt16?) {
            let conn = connection.connection
            var cursor = xcb_cursor_t(XCB_NONE)
            if let glyph {
                if let existing = cursors[glyph] {
                    cursor = existing
                } else {
                    cursor = xcb_generate_id(conn)
                    _ = xcb_create_glyph_cursor(
                        conn, cursor, font, font, glyph, glyph + 1, 0, 0, 0, 0xffff, 0xffff, 0xffff)
                    cursors[glyph] = cursor
                }
            }
            let values = [cursor]
            _ = values.withUnsafeBytes {
                xcb_change_window_attributes(conn, connection.root, XCB_CW_CURSOR.rawValue, $0.baseAddress)
            }
            connection.sync()
        }
    }

    @Test func anotherClientsClipboardGoesUpButTheViewersDoesNotEcho() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let recorder = Recorder()
        let runner = try recorder.runner(display)
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { recorder.frames.withLock { $0 } >= 1 })
        let other = try OtherClient(display: display.display)
        #expect(other.owner.own("from another app: héllo ✓"))
        #expect(other.wait { recorder.clipboards == ["from another app: héllo ✓"] }, "\(recorder.clipboards)")

        // The viewer sets the clipboard: the desktop has it (another client reads it), no event.
        runner.inject(.clipboard(text: "from the viewer", paste: false))
        let reader = try DesktopTestWindow(display: display.display)
        #expect(DesktopTestDisplay.wait { reader.readClipboard(timeout: 1) == "from the viewer" })
        other.pump()
        usleep(300_000)
        #expect(recorder.clipboards == ["from another app: héllo ✓"])

        // Another client takes it back: reported again, also with the same text as before.
        #expect(other.owner.own("second"))
        #expect(other.wait { recorder.clipboards.count == 2 })
        #expect(other.owner.own("second"))
        #expect(other.wait { recorder.clipboards.count == 3 })
        #expect(recorder.clipboards == ["from another app: héllo ✓", "second", "second"])
        #expect(runner.statistics.inputInjected == 1)
    }

    @Test func clipboardAlreadyOwnedAtStartIsRead() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let other = try OtherClient(display: display.display)
        #expect(other.owner.own("there before"))
        let recorder = Recorder()
        let runner = try recorder.runner(display)
        defer { runner.stop() }
        #expect(other.wait { recorder.clipboards == ["there before"] }, "\(recorder.clipboards)")
    }

    @Test func aSilentOwnerTimesOutWithoutBlockingInput() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let recorder = Recorder()
        let runner = try recorder.runner(display)
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { recorder.frames.withLock { $0 } >= 1 })
        // Owns the CLIPBOARD and never answers.
        let silent = try OtherClient(display: display.display)
        #expect(silent.owner.own("never sent"))
        usleep(100_000)
        // Input goes on meanwhile.
        let window = try DesktopTestWindow(display: display.display)
        runner.inject(.text("ok"))
        #expect(window.collect(upTo: 1) { _ in window.typedText == "ok" })
        // A responsive owner takes over during the pending conversion: read after the timeout.
        let other = try OtherClient(display: display.display)
        #expect(other.owner.own("after the timeout"))
        let started = ContinuousClock.now
        #expect(other.wait(upTo: 5) { recorder.clipboards == ["after the timeout"] }, "\(recorder.clipboards)")
        print("desktop clipboard: read \(ContinuousClock.now - started) after a silent owner")
    }

    /// Text larger than one property goes through INCR, cut at 1 MiB on a character boundary.
    @Test(arguments: [300_000, 400_000])
    func incrementalTransfersAreReadUpTo1MiB(characters: Int) throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let recorder = Recorder()
        let runner = try recorder.runner(display)
        defer { runner.stop() }
        #expect(DesktopTestDisplay.wait { recorder.frames.withLock { $0 } >= 1 })
        let text = String(repeating: "€", count: characters)  // 900 kB or 1.2 MB
        let owner = try DesktopTestIncrOwner(display: display.display, text: text, chunk: 65_536)
        #expect(owner.wait { !recorder.clipboards.isEmpty })
        let expected =
            characters * 3 <= X11ClipboardWatcher.maxBytes ? text : String(repeating: "€", count: (1 << 20) / 3)
        #expect(recorder.clipboards.first?.count == expected.count)
        #expect(recorder.clipboards.first == expected)
        #expect(owner.chunksSent > 4)
    }

    /// The same idle screen without and with `onEvent`: the events add one QueryPointer round trip
    /// per tick on the capture thread and nothing on the input thread while nothing changes.
    @Test func idleWithEventsCostsAlmostNothing() throws {
        let display = try DesktopTestDisplay(width: 640, height: 480)
        try display.run("xsetroot", "-solid", "#ff0000")
        for withEvents in [false, true] {
            let recorder = Recorder()
            let runner =
                withEvents
                ? try recorder.runner(display)
                : try DesktopSourceRunner(
                    configuration: .init(trackID: "desktop", display: display.display), onStatus: { _ in },
                    sink: { _ in recorder.frames.withLock { $0 += 1 } })
            defer { runner.stop() }
            #expect(
                DesktopTestDisplay.wait {
                    recorder.frames.withLock { $0 } >= 1 && (!withEvents || !recorder.positions.isEmpty)
                })
            usleep(700_000)
            let before = runner.statistics, events = recorder.list.count
            let processBefore = DesktopSourceRunnerTests.processCPUMicroseconds()
            let clock = ContinuousClock.now
            usleep(3_000_000)
            let elapsed = ContinuousClock.now - clock
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let after = runner.statistics
            let threadCPU = after.captureThreadCPUMicroseconds - before.captureThreadCPUMicroseconds
            let processCPU = DesktopSourceRunnerTests.processCPUMicroseconds() - processBefore
            print(
                "desktop idle 640x480@30 \(withEvents ? "with" : "without") cursor and clipboard events "
                    + "over \(seconds) s: "
                    + "capture thread CPU \(threadCPU) µs (\(Double(threadCPU) / seconds / 1e4) % of a core), "
                    + "process CPU \(processCPU) µs (\(Double(processCPU) / seconds / 1e4) %)")
            #expect(recorder.list.count == events, "no events while nothing changes")
            #expect(after.framesGrabbed == before.framesGrabbed)
            #expect(Double(threadCPU) < 0.05 * seconds * 1e6)
            runner.stop()
        }
    }
}
