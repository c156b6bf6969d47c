import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// The scrcpy client against the device simulator (Tests/AndroidSimulator) through the `adb`
/// stand-in: real sockets, the real pinned server binary pushed and checked by the stand-in, a
/// real libx264 bitstream.
@Suite(.serialized, .enabled(if: AndroidTestDevice.enabled, AndroidTestDevice.skipReason))
struct AndroidSourceRunnerTests {
    final class Collector: Sendable {
        let frames = Mutex<[EncodedFrame]>([])
        let audio = Mutex<[EncodedFrame]>([])
        let clipboard = Mutex<[String]>([])
        let failures = Mutex<[AndroidCaptureError]>([])
        let logs = Mutex<[String]>([])

        func event(_ event: AndroidSourceRunner.Event) {
            switch event {
            case .frame(let frame) where frame.trackID == "audio": audio.withLock { $0.append(frame) }
            case .frame(let frame): frames.withLock { $0.append(frame) }
            case .clipboard(let text): clipboard.withLock { $0.append(text) }
            case .serverLog(let line): logs.withLock { $0.append(line) }
            case .started: break
            }
        }

        func wait(_ what: String, timeout: Double = 30, _ condition: @escaping @Sendable () -> Bool) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !condition() {
                guard Date() < deadline else {
                    let failures = self.failures.withLock { $0 }
                    throw AndroidTestDevice.Failure(description: "timed out waiting for \(what); failures: \(failures); server log: \(logs.withLock { $0.suffix(5) })")
                }
                usleep(10_000)
            }
        }
    }

    static func start(_ device: AndroidTestDevice, _ collector: Collector) throws -> AndroidSourceRunner {
        try AndroidSourceRunner(
            configuration: AndroidSourceRunner.Configuration(
                trackID: "video", serial: device.serial, maxSize: 1920, maxFPS: 30, bitrateKbps: 2000, audio: true, control: true,
                adbPath: device.adb, serverPath: AndroidTestDevice.serverPath ?? ""),
            onEvent: { collector.event($0) }, onFailure: { error in collector.failures.withLock { $0.append(error) } })
    }

    @Test func streamsH264AccessUnitsAndOpusAndTakesControlMessages() async throws {
        let device = try AndroidTestDevice(width: 360, height: 640, audio: "opus")
        let collector = Collector()
        try await offPool {
            let runner = try Self.start(device, collector)
            defer { runner.stop() }
            try collector.wait("10 frames") { collector.frames.withLock { $0.count >= 10 } }
            let frames = collector.frames.withLock { $0 }
            // The first access unit carries the config packet (SPS + PPS) in front of the IDR.
            #expect(frames[0].keyframe && frames[0].codec == "h264")
            #expect(Array(frames[0].data.prefix(5)) == [0, 0, 0, 1, 0x67])
            #expect(frames.dropFirst().allSatisfy { !$0.keyframe && $0.data[4] & 0x1F == 1 })
            #expect(frames.allSatisfy { $0.width == 360 && $0.height == 640 })
            // PTS from the device's monotonic clock: increasing, about 1/30 s apart.
            let steps = zip(frames, frames.dropFirst()).map { $1.ptsMicroseconds - $0.ptsMicroseconds }
            #expect(steps.allSatisfy { $0 > 0 })
            #expect(runner.videoSize! == (360, 640))
            // Audio: Opus packets (the OpusHead config packet is not one of them), PTS on the same clock.
            try collector.wait("audio packets") { collector.audio.withLock { $0.count >= 10 } }
            let audio = collector.audio.withLock { $0 }
            #expect(audio.allSatisfy { $0.codec == "opus" && !$0.data.starts(with: Array("OpusHead".utf8)) })
            #expect(abs(audio.last!.ptsMicroseconds - frames.last!.ptsMicroseconds) < 2_000_000)

            // A tap in the middle, stamped with the current video size: the device takes it.
            let position = ScrcpyPosition(x: 180, y: 320, screenWidth: 360, screenHeight: 640)
            runner.send(.injectTouchEvent(action: .down, pointerID: .touch(0), position: position, pressure: 1, actionButton: [], buttons: []))
            runner.send(.injectText("hello"))
            runner.send(.setClipboard(sequence: 7, paste: false, text: "from the viewer"))
            try device.waitForRecord("the touch and the text") { records in
                records.contains { $0["type"] as? String == "INJECT_TOUCH_EVENT" && $0["x"] as? Int == 180 && $0["y"] as? Int == 320
                    && $0["screen_width"] as? Int == 360 && $0["dropped"] as? Bool == false }
                    && records.contains { $0["type"] as? String == "INJECT_TEXT" && $0["text"] as? String == "hello" }
            }

            // A key-frame request restarts the device encoder once: config + IDR again.
            let before = collector.frames.withLock { $0.count }
            runner.requestKeyframe()
            runner.requestKeyframe()  // within the second: coalesced
            try collector.wait("a key frame after RESET_VIDEO") {
                collector.frames.withLock { $0.dropFirst(before).contains { $0.keyframe && $0.data[4] == 0x67 } }
            }
            usleep(300_000)
            let resets = device.records().filter { $0["type"] as? String == "RESET_VIDEO" }.count
            #expect(resets == 1)
        }
        #expect(collector.failures.withLock { $0.isEmpty })
        // Stopped: the server exits, and with cleanup it deleted the pushed jar.
        try device.waitForRecord("the server's exit") { $0.contains { $0["event"] as? String == "exit" } }
        let calls = device.adbCalls().map { $0.joined(separator: " ") }
        #expect(calls.contains { $0.hasPrefix("-s \(device.serial) push ") && $0.hasSuffix(" /data/local/tmp/scrcpy-server.jar") })
        #expect(calls.contains { $0.hasPrefix("-s \(device.serial) reverse localabstract:scrcpy_") && $0.contains(" tcp:2718") })
        #expect(calls.contains { $0.hasPrefix("-s \(device.serial) reverse --remove localabstract:scrcpy_") })
        #expect(calls.contains {
            $0.hasPrefix("-s \(device.serial) shell CLASSPATH=/data/local/tmp/scrcpy-server.jar app_process / com.genymobile.scrcpy.Server 3.3.4 scid=")
        })
    }

    @Test func fallsBackToForwardWhenReverseFails() async throws {
        let device = try AndroidTestDevice(reverse: false)
        let collector = Collector()
        try await offPool {
            let runner = try Self.start(device, collector)
            defer { runner.stop() }
            try collector.wait("frames over adb forward") { collector.frames.withLock { $0.count >= 3 } }
        }
        let calls = device.adbCalls().map { $0.joined(separator: " ") }
        #expect(calls.contains { $0.hasPrefix("-s \(device.serial) forward tcp:") })
        #expect(calls.contains { $0.hasPrefix("-s \(device.serial) forward --remove tcp:") })
        #expect(calls.contains { $0.contains("tunnel_forward=true") })
        #expect(device.records().contains { $0["event"] as? String == "connected" && $0["mode"] as? String == "listen" })
    }

    @Test func aDeviceThatGoesAwayIsDeviceDisconnected() async throws {
        let device = try AndroidTestDevice()
        let collector = Collector()
        try await offPool {
            let runner = try Self.start(device, collector)
            defer { runner.stop() }
            try collector.wait("frames") { collector.frames.withLock { $0.count >= 3 } }
            let pid = device.records().first { $0["event"] as? String == "connected" }?["pid"] as? Int
            #expect(pid != nil)
            if let pid { kill(pid_t(pid), SIGKILL) }  // the cable is pulled: the adb shell and its sockets die
            try collector.wait("the failure") { !collector.failures.withLock { $0.isEmpty } }
        }
        let failures = collector.failures.withLock { $0 }
        #expect(failures.count == 1)
        #expect(failures.first?.statusCode == "device_disconnected")
    }

    @Test func aMissingDeviceFailsWithDeviceUnavailable() async throws {
        let device = try AndroidTestDevice()
        let collector = Collector()
        try await offPool {
            let runner = try AndroidSourceRunner(
                configuration: AndroidSourceRunner.Configuration(
                    trackID: "video", serial: "emulator-9999", adbPath: device.adb, serverPath: AndroidTestDevice.serverPath ?? ""),
                onEvent: { collector.event($0) }, onFailure: { error in collector.failures.withLock { $0.append(error) } })
            defer { runner.stop() }
            try collector.wait("the failure") { !collector.failures.withLock { $0.isEmpty } }
        }
        #expect(collector.failures.withLock { $0.first?.statusCode } == "device_unavailable")
    }
}

extension AndroidSourceRunnerTests {
    /// scrcpy 3.3.4 sends no size header after a rotation: the new SPS says it (scrcpy.md §11.4), and
    /// touches must be stamped with that size or the device drops them.
    @Test func aRotationChangesTheVideoSizeThroughTheNewSPS() async throws {
        let device = try AndroidTestDevice(width: 360, height: 640)
        let collector = Collector()
        try await offPool {
            let runner = try Self.start(device, collector)
            defer { runner.stop() }
            try collector.wait("frames") { collector.frames.withLock { $0.count >= 3 } }
            runner.send(.rotateDevice)
            try collector.wait("a landscape key frame", timeout: 60) {
                collector.frames.withLock { $0.contains { $0.keyframe && $0.width == 640 && $0.height == 360 } }
            }
            #expect(runner.videoSize! == (640, 360))
            let position = ScrcpyPosition(x: 600, y: 20, screenWidth: 640, screenHeight: 360)
            runner.send(.injectTouchEvent(action: .down, pointerID: .touch(1), position: position, pressure: 1, actionButton: [], buttons: []))
            try device.waitForRecord("the landscape touch") { records in
                records.contains { $0["type"] as? String == "INJECT_TOUCH_EVENT" && $0["x"] as? Int == 600 && $0["dropped"] as? Bool == false }
            }
        }
        #expect(device.records().contains { $0["type"] as? String == "ROTATE_DEVICE" })
    }
}
