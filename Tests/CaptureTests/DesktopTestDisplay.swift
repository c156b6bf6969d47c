import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// A throwaway Xvfb for one test, on a free display in :150…:199 (no socket, no lock file), killed
/// when the test is done. Tests that need it are enabled when Xvfb is installed, and always when
/// CI=true, so that a CI machine without Xvfb fails them instead of skipping.
final class DesktopTestDisplay {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var xvfbInstalled: Bool { XvfbLauncher.executable != nil }
    static var enabled: Bool { xvfbInstalled || isCI }
    static let skipReason: Comment = "Xvfb is not installed (apt-get install xvfb); set CI=true to make this a failure"

    /// Display numbers are handed out round-robin from a random start, so that parallel tests (and
    /// other processes) rarely race for one.
    private static let next = Mutex(Int.random(in: 0..<50))

    let launcher: XvfbLauncher
    var display: String { launcher.display }

    init(width: Int = 640, height: Int = 480) throws {
        guard Self.xvfbInstalled else {
            throw Failure(
                description: "Xvfb is not installed but CI=true requires the desktop tests: apt-get install xvfb")
        }
        var lastError: (any Error)?
        for _ in 0..<12 {
            guard let n = Self.freeDisplayNumber() else { break }
            let launcher = try XvfbLauncher(display: ":\(n)", width: width, height: height)
            do {
                try launcher.start()
                self.launcher = launcher
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? Failure(description: "no free X display in :150…:199")
    }

    /// A display number in 150…199 with neither a socket nor a lock file.
    static func freeDisplayNumber() -> Int? {
        for _ in 0..<50 {
            let n =
                150
                + next.withLock { value in
                    defer { value = (value + 1) % 50 }
                    return value
                }
            if access("/tmp/.X11-unix/X\(n)", F_OK) != 0 && access("/tmp/.X\(n)-lock", F_OK) != 0 { return n }
        }
        return nil
    }

    deinit { launcher.stop() }

    func stop() { launcher.stop() }

    /// Runs an X client (xsetroot, xdotool) on this display and returns its standard output.
    @discardableResult
    func run(_ tool: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = display
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "\(tool) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Polls `condition` every 10 ms for up to `seconds`; returns whether it became true.
    @discardableResult
    static func wait(upTo seconds: Double = 5, until condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            usleep(10_000)
        }
        return true
    }
}
