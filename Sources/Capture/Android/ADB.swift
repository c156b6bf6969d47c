import Foundation
import Synchronization

/// The `adb` executable and the device it talks to: runs one adb command to completion (short
/// ones: start-server, devices, push, reverse, forward), or starts a long-running `adb shell`.
/// Blocking: call it from a capture thread, never from an event loop or the cooperative pool.
public struct ADB: Sendable {
    public var executable: String
    /// `-s SERIAL` on every device command once chosen.
    public var serial: String?

    public init(executable: String, serial: String? = nil) {
        self.executable = executable
        self.serial = serial
    }

    /// `MARIONETTE_ADB` when set (it must be executable), else `adb` on `PATH`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(AndroidCaptureError) -> String {
        let files = FileManager.default
        if let explicit = environment["MARIONETTE_ADB"], !explicit.isEmpty {
            guard files.isExecutableFile(atPath: explicit) else { throw .adbNotFound }
            return explicit
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = String(directory) + "/adb"
            if files.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw .adbNotFound
    }

    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The argv after `adb`: `-s SERIAL` first when a serial is set and `device` is true.
    func argv(_ arguments: [String], device: Bool = true) -> [String] {
        (device ? serial.map { ["-s", $0] } ?? [] : []) + arguments
    }

    /// Runs `adb [-s SERIAL] arguments…` and waits for it.
    @discardableResult
    public func run(_ arguments: [String], device: Bool = true) throws(AndroidCaptureError) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = argv(arguments, device: device)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .adbFailed(command: arguments.joined(separator: " "), status: -1, output: "cannot run \(executable): \(error)")
        }
        // Read both pipes to the end before waiting: a chatty command must not fill a pipe and stall.
        let errData = Mutex<Data>(Data())
        let group = DispatchGroup()
        group.enter()
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread {
            let data = errHandle.readDataToEndOfFile()
            errData.withLock { $0 = data }
            group.leave()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }

    /// `run`, throwing unless the command exited 0.
    @discardableResult
    public func check(_ arguments: [String], device: Bool = true) throws(AndroidCaptureError) -> Output {
        let output = try run(arguments, device: device)
        guard output.status == 0 else {
            let text = (output.stderr + output.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .adbFailed(command: arguments.joined(separator: " "), status: output.status, output: String(text.prefix(500)))
        }
        return output
    }
}
