import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture
import TestSupport

/// A simulated Android device for one test: the `adb` stand-in and scrcpy device simulator of
/// Tests/AndroidSimulator behind a wrapper script that points them at this test's config, state
/// folder and record file. Enabled when python3, ffmpeg and the pinned scrcpy server are there,
/// and always when CI=true, so that a CI machine missing one of them fails instead of skipping.
final class AndroidTestDevice: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var simulatorDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AndroidSimulator").path
    }
    static var serverPath: String? { try? ScrcpyServerBinary.locate(version: .v3_3_4) }
    static var enabled: Bool { isCI || (FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") && serverPath != nil) }
    static let skipReason: Comment =
        "ffmpeg or the scrcpy server is missing (scripts/install-deps.sh installs both); set CI=true to make this a failure"

    let directory: String
    /// The `adb` to give the runner (the wrapper script).
    let adb: String
    let recordPath: String
    let adbLogPath: String
    let serial: String

    init(width: Int = 360, height: Int = 640, fps: Int = 30, reverse: Bool = true, audio: String = "disabled") throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") else {
            throw Failure(description: "ffmpeg is not installed but CI=true requires the Android tests: scripts/install-deps.sh")
        }
        guard Self.serverPath != nil else {
            throw Failure(description: "the scrcpy server 3.3.4 is not installed: scripts/fetch-scrcpy-server.sh")
        }
        directory = NSTemporaryDirectory() + "marionette-android-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        serial = "emulator-\(5554 + 2 * Int.random(in: 0..<100))"
        recordPath = directory + "/record.jsonl"
        adbLogPath = directory + "/adb-calls.jsonl"
        let config: [String: Any] = [
            "devices": [["serial": serial, "model": "Pixel 7", "width": width, "height": height, "fps": fps, "audio": audio]],
            "reverse": reverse, "record": recordPath, "log": adbLogPath,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/config.json"))
        adb = directory + "/adb"
        let script = """
            #!/bin/sh
            export MARIONETTE_ADB_SIM_CONFIG='\(directory)/config.json'
            export MARIONETTE_ADB_SIM_STATE='\(directory)/state'
            exec '\(Self.simulatorDirectory)/adb' "$@"

            """
        try ExecutableScript.write(script, to: adb)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The simulator's record: one JSON object per line.
    func records() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The adb invocations, as argv arrays.
    func adbCalls() -> [[String]] {
        guard let text = try? String(contentsOfFile: adbLogPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["argv"] as? [String]
        }
    }

    /// Waits (polling, off the cooperative pool) until `predicate` holds for the record.
    func waitForRecord(
        _ what: String, timeout: Double = 20, _ predicate: @escaping @Sendable ([[String: Any]]) -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(records()) { return }
            usleep(20_000)
        }
        throw Failure(description: "timed out waiting for \(what); record: \(records().suffix(5))")
    }
}
