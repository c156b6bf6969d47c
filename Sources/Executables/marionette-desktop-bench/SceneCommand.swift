import ArgumentParser
import Foundation

/// Draws a busy screen on the display until killed: the picture of each tick is put on the whole
/// root window (core PutImage), at `fps` absolute-deadline ticks on a dedicated thread.
/// A capture at the same rate beats against the drawing (two pictures in one capture interval, none
/// in the next, whenever the phases meet); bench/desktop draws at twice the capture rate so that
/// every capture tick finds a new picture.
struct SceneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scene", abstract: "Draw scrolling text or full-screen motion on an X display until killed.")

    @Option(help: "X display, e.g. :99") var display: String
    @Option(help: "text (scrolling lines of glyphs) or video (full-screen motion)") var kind: SceneKind
    @Option(help: "pictures per second") var fps = 30
    @Option(help: "text: pixels the text moves up per picture") var scrollPixels = 4

    func validate() throws {
        guard (1...240).contains(fps) else { throw ValidationError("--fps must be 1...240") }
        guard (1...64).contains(scrollPixels) else { throw ValidationError("--scroll-pixels must be 1...64") }
    }

    func run() throws {
        let (display, kind, fps, scrollPixels) = (display, kind, fps, scrollPixels)
        // X calls block: the drawing has its own thread; the main thread only waits to be killed.
        let thread = Thread {
            do {
                let painter = try RootWindowPainter(display: display)
                var scene = kind.makeScene(
                    width: painter.width, height: painter.height, framesPerSecond: fps, scrollPixels: scrollPixels)
                var pixels = [UInt32](repeating: 0, count: painter.width * painter.height)
                let rows = 0..<painter.height
                BenchLog.log("scene", "\(kind.rawValue) on \(display) (\(painter.width)x\(painter.height)) at \(fps) fps")
                try TickLoop.run(rate: fps, report: { ran, skipped, seconds in
                    BenchLog.log("scene", String(format: "%d pictures in %.1f s, %d ticks skipped", ran, seconds, skipped))
                }) { tick in
                    pixels.withUnsafeMutableBufferPointer { scene.draw(tick: tick, into: $0) }
                    pixels.withUnsafeBufferPointer { painter.put($0, rows: rows) }
                    try painter.sync()
                    return true
                }
            } catch {
                BenchLog.log("scene", "\(error)")
                Glibc.exit(1)
            }
        }
        thread.name = "desktop-bench-scene"
        thread.start()
        while true { pause() }
    }
}
