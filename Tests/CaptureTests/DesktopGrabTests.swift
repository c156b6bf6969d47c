import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// X11ScreenGrabber, BGRXConverter and X11DamageTracker against a real Xvfb.
@Suite(.serialized, .enabled(if: DesktopTestDisplay.enabled, DesktopTestDisplay.skipReason))
struct DesktopGrabTests {
    /// Every fifth pixel of every fifth row is B, G, R.
    static func expectColour(_ image: X11Image, b: UInt8, g: UInt8, r: UInt8, _ comment: Comment) {
        var wrong = 0
        for row in stride(from: 0, to: image.height, by: 5) {
            for column in stride(from: 0, to: image.width, by: 5) {
                let p = image.base + row * image.stride + column * 4
                let pixel = (
                    p.load(as: UInt8.self), p.load(fromByteOffset: 1, as: UInt8.self),
                    p.load(fromByteOffset: 2, as: UInt8.self)
                )
                if pixel != (b, g, r) { wrong += 1 }
            }
        }
        #expect(wrong == 0, comment)
    }

    @Test func grabsThePaintedScreenOnEveryPath() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let connection = try X11Connection(display: display.display)
        try display.run("xsetroot", "-solid", "#ff0000")
        let cases: [(Set<X11GrabPath>, X11GrabPath)] = [
            ([.shmMemfd, .shmSysV, .getImage], .shmMemfd),  // Xvfb has MIT-SHM 1.2: memfd first
            ([.shmSysV, .getImage], .shmSysV),
            ([.getImage], .getImage),
        ]
        for (allowed, expected) in cases {
            let grabber = try X11ScreenGrabber(connection: connection, paths: allowed)
            #expect(grabber.path == expected)
            #expect(grabber.format == .bgrx)
            let image = try grabber.grab()
            #expect(image.width == 320 && image.height == 240 && image.stride == 320 * 4)
            Self.expectColour(image, b: 0, g: 0, r: 255, "red on \(grabber.path)")

            // Through libyuv: red in BT.601 limited range is Y 82, Cb 90, Cr 240.
            var converter = BGRXConverter()
            try converter.convert(image)
            let frame = try #require(converter.frame)
            #expect(frame.width == 320 && frame.height == 240)
            #expect(frame.y.allSatisfy { abs(Int($0) - 82) <= 2 }, "Y of red")
            #expect(frame.u.allSatisfy { abs(Int($0) - 90) <= 2 }, "U of red")
            #expect(frame.v.allSatisfy { abs(Int($0) - 240) <= 2 }, "V of red")
        }

        // Repaint: the same segment sees the new pixels.
        let grabber = try X11ScreenGrabber(connection: connection)
        try display.run("xsetroot", "-solid", "#0000ff")
        Self.expectColour(try grabber.grab(), b: 255, g: 0, r: 0, "blue after repaint")
        #expect(!connection.hasError)
    }

    @Test func damageSeesOneChangeThenNothingWhileIdle() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let connection = try X11Connection(display: display.display)
        let grabber = try X11ScreenGrabber(connection: connection)
        let damage = X11DamageTracker(connection: connection)
        #expect(damage.mode == .damage)
        func drain() {
            connection.drainEvents {
                damage.handle($0); grabber.handle($0)
            }
        }
        func idle(_ milliseconds: Int) -> Bool {  // true while no damage arrives
            DesktopTestDisplay.wait(upTo: Double(milliseconds) / 1000) {
                drain()
                return damage.needsGrab
            } == false
        }
        // Baseline: whatever Xvfb drew at start-up is grabbed once.
        _ = idle(100)
        damage.willGrab()
        _ = try grabber.grab()
        #expect(idle(300), "no damage on an idle screen")

        try display.run("xsetroot", "-solid", "#ff0000")
        #expect(
            DesktopTestDisplay.wait(upTo: 2) {
                drain(); return damage.needsGrab
            }, "painting raises damage")
        damage.willGrab()
        let image = try grabber.grab()
        #expect(damage.didGrab(image))
        Self.expectColour(image, b: 0, g: 0, r: 255, "red after damage")
        #expect(idle(500), "one change, then nothing while idle")

        try display.run("xsetroot", "-solid", "#00ff00")
        #expect(
            DesktopTestDisplay.wait(upTo: 2) {
                drain(); return damage.needsGrab
            }, "painting again raises damage again")
    }

    @Test func rowHashFallbackWithoutDamage() throws {
        let display = try DesktopTestDisplay(width: 320, height: 240)
        let connection = try X11Connection(display: display.display)
        let grabber = try X11ScreenGrabber(connection: connection)
        let tracker = X11DamageTracker(connection: connection, useDamage: false)
        #expect(tracker.mode == .rowHash && tracker.needsGrab)
        #expect(tracker.didGrab(try grabber.grab()))  // first frame
        #expect(!tracker.didGrab(try grabber.grab()))
        try display.run("xsetroot", "-solid", "#ff0000")
        #expect(tracker.didGrab(try grabber.grab()))
        #expect(!tracker.didGrab(try grabber.grab()))
    }

    @Test func unopenableDisplayIsAClearError() throws {
        let number = try #require(DesktopTestDisplay.freeDisplayNumber())
        #expect {
            try X11Connection(display: ":\(number)")
        } throws: { error in
            guard case .displayUnavailable(let name, _)? = error as? DesktopCaptureError else { return false }
            return name == ":\(number)"
        }
    }
}
