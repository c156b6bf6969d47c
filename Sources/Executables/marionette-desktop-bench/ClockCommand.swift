import ArgumentParser
import Capture
import Foundation

/// Paints the capture-time bar code (web/viewer.js, version 1; `CaptureBarcode`) with the current
/// wall-clock time across the top band of the screen, `rate` times a second, over a dark screen:
/// whatever captures the display carries the paint time to the viewer, for glass-to-glass latency.
struct ClockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock", abstract: "Paint the capture-time bar code on an X display until killed.")

    /// Everything under the band: dark, so that the band's guards have full contrast around them.
    static let backgroundBGRX: UInt32 = 0x0020_2020

    @Option(help: "X display, e.g. :99") var display: String
    @Option(help: "bar codes painted per second") var rate = 60

    func validate() throws {
        guard (1...240).contains(rate) else { throw ValidationError("--rate must be 1...240") }
    }

    func run() throws {
        let (display, rate) = (display, rate)
        let thread = Thread {
            do {
                let painter = try RootWindowPainter(display: display)
                let (width, height) = (painter.width, painter.height)
                guard width >= 320 else { throw BenchFailure("the screen is \(width) px wide; bar-code readers need 320") }
                var pixels = [UInt32](repeating: Self.backgroundBGRX, count: width * height)
                pixels.withUnsafeBufferPointer { painter.put($0, rows: 0..<height) }
                let band = min(height, CaptureBarcode.bandHeight(width: width) + CaptureBarcode.quietRows(width: width))
                BenchLog.log("clock", "bar code on \(display) (\(width)x\(height), top \(band) rows) at \(rate) Hz")
                try TickLoop.run(rate: rate) { _ in
                    // Painted with the time it is sent at: the X server draws it within the round trip.
                    pixels.withUnsafeMutableBytes {
                        CaptureBarcode.paint(
                            bgrx: $0, width: width, height: band, stride: width * 4, timeMs: MonotonicClock.wallMilliseconds())
                    }
                    pixels.withUnsafeBufferPointer { painter.put($0, rows: 0..<band) }
                    try painter.sync()
                    return true
                }
            } catch {
                BenchLog.log("clock", "\(error)")
                Glibc.exit(1)
            }
        }
        thread.name = "desktop-bench-clock"
        thread.start()
        while true { pause() }
    }
}
