import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PulseAudio for one test: its own runtime folder, a unix socket there, a null sink
/// whose monitor is the default source (what a headless runner has). Enabled when `pulseaudio` is
/// installed, and always with CI=true, so that a CI machine without it fails instead of skipping.
final class PulseAudioTestServer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var installed: Bool { executable("pulseaudio") != nil && executable("pacat") != nil }
    static var enabled: Bool { installed || isCI }
    static let skipReason: Comment =
        "pulseaudio/pacat are not installed (apt-get install pulseaudio pulseaudio-utils); set CI=true to make this a failure"

    let directory: String
    /// `PULSE_SERVER` form of the socket.
    var server: String { "unix:\(directory)/native" }
    private let process: Process
    private var players: [Process] = []

    init() throws {
        guard let pulseaudio = Self.executable("pulseaudio"), Self.executable("pacat") != nil else {
            throw Failure(description: "pulseaudio and pacat are required (apt-get install pulseaudio pulseaudio-utils)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pa-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: pulseaudio)
        process.arguments = [
            "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
            "-L", "module-native-protocol-unix socket=\(directory)/native auth-anonymous=1",
            "-L", "module-null-sink sink_name=marionette_test",
        ]
        process.environment = Self.environment(directory)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Ready once the socket accepts a client.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(socket: "\(directory)/native") { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        stop()
        throw Failure(description: "pulseaudio did not come up in \(directory) within 10 s")
    }

    deinit { stop() }

    func stop() {
        for player in players where player.isRunning { player.terminate() }
        players.removeAll()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Plays a sine tone (s16le 48 kHz stereo) into the null sink until the server stops.
    func playTone(frequency: Double, amplitude: Double = 0.5, seconds: Double = 30) throws {
        let player = Process()
        player.executableURL = URL(fileURLWithPath: Self.executable("pacat")!)
        player.arguments = ["--playback", "--raw", "--format=s16le", "--rate=48000", "--channels=2", "--latency-msec=20"]
        player.environment = Self.environment(directory).merging(["PULSE_SERVER": server]) { $1 }
        let input = Pipe()
        player.standardInput = input
        try player.run()
        players.append(player)
        var samples = [Int16]()
        let count = Int(seconds * 48_000)
        samples.reserveCapacity(count * 2)
        for n in 0..<count {
            let value = Int16(amplitude * 32_767 * sin(2 * Double.pi * frequency * Double(n) / 48_000))
            samples += [value, value]
        }
        let data = samples.withUnsafeBytes { Data($0) }
        // pacat ends with the server: the rest of the tone would then be a SIGPIPE for the test process.
        signal(SIGPIPE, SIG_IGN)
        // Written from its own thread: the pipe fills faster than pacat plays.
        let handle = input.fileHandleForWriting
        Thread.detachNewThread {
            try? handle.write(contentsOf: data)
            try? handle.close()
        }
    }

    /// A unix socket that a client can connect to.
    static func accepts(socket path: String) -> Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    /// PulseAudio keeps its runtime, state and cookie under these; all in the throwaway folder.
    private static func environment(_ directory: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["HOME", "XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH", "XDG_CONFIG_HOME"] {
            environment[key] = directory
        }
        environment["PULSE_SERVER"] = nil
        return environment
    }

    static func executable(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }
}
