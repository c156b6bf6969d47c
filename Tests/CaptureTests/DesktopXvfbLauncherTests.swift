import Testing

@testable import Capture

@Suite struct DesktopXvfbLauncherTests {
    @Test func parsesDisplayNames() {
        #expect(XvfbLauncher.displayNumber(":99") == 99)
        #expect(XvfbLauncher.displayNumber(":0.0") == 0)
        #expect(XvfbLauncher.displayNumber("host:1") == nil)
        #expect(XvfbLauncher.displayNumber(":") == nil)
        #expect(XvfbLauncher.displayNumber(":x") == nil)
        #expect(XvfbLauncher.socketPath(display: ":7") == "/tmp/.X11-unix/X7")
        #expect(throws: DesktopCaptureError.self) { try XvfbLauncher(display: "remote:0", width: 640, height: 480) }
        #expect(throws: DesktopCaptureError.self) { try XvfbLauncher(display: ":5", width: 0, height: 480) }
    }

    @Test(.enabled(if: DesktopTestDisplay.enabled, DesktopTestDisplay.skipReason))
    func startsADisplayThatDidNotExistAndStopsIt() throws {
        #expect(XvfbLauncher.executable != nil, "Xvfb must be installed when CI=true")
        let number = try #require(DesktopTestDisplay.freeDisplayNumber())
        let display = ":\(number)"
        #expect(!XvfbLauncher.socketExists(display: display))
        let launcher = try XvfbLauncher(display: display, width: 400, height: 300)
        let started = ContinuousClock.now
        try launcher.start()
        print("Xvfb \(display) ready after \(ContinuousClock.now - started)")
        #expect(XvfbLauncher.socketExists(display: display))
        #expect(launcher.processID != nil)
        let connection = try X11Connection(display: display)
        #expect(connection.screen.pointee.width_in_pixels == 400 && connection.screen.pointee.height_in_pixels == 300)
        // The display now exists: a second launcher refuses it.
        #expect(throws: DesktopCaptureError.self) {
            try XvfbLauncher(display: display, width: 400, height: 300).start()
        }
        launcher.stop()
        #expect(launcher.processID == nil)
        #expect(!XvfbLauncher.socketExists(display: display))
        launcher.stop()  // idempotent
    }
}
