import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The Android pipeline (scrcpy.md §3, §4, §11): a scrcpy client that starts the pinned scrcpy
/// server on a device through `adb` and hands its H.264 access units up as `EncodedFrame`s.
///
/// Threads, all its own (nothing here runs on an event loop or the cooperative pool):
/// - `marionette-android` sets up (adb start-server, device choice, push, tunnel, `adb shell …
///   app_process`, sockets in protocol order, tunnel removal, device meta) and then reads the video
///   socket with `ScrcpyStreamParser`. The config packet (SPS/PPS) is kept and put in front of the
///   next access unit, as the reference client does; the SFU caches it from there and re-sends it
///   before every later IDR (streaming.md §3.4).
/// - one reader per other socket: audio (drained; Opus forwarding comes with the audio track) and
///   the control socket's device messages (clipboard → `onEvent`).
/// - one control writer: a bounded queue of control messages (60, droppable ones dropped beyond, as
///   upstream), and the key-frame request mapped to `RESET_VIDEO` at most once per second, later
///   requests coalesced (§11.3).
/// - one reader of the server's log lines (stdout/stderr of `adb shell`), which keeps the last
///   `ERROR` line as the failure reason.
///
/// The video socket ending, or any socket breaking, while the source runs is `device_disconnected`
/// (the reference client's "Device disconnected"); `onFailure` is called once and the source
/// stops by itself. `stop()` shuts the sockets down and gives the server 1 s to exit before
/// killing it.
public final class AndroidSourceRunner: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var trackID: String
        /// adb serial; nil: `$ANDROID_SERIAL`, else the only attached device.
        public var serial: String?
        public var maxSize: Int
        public var maxFPS: Int
        public var bitrateKbps: Int
        public var audio: Bool
        public var control: Bool
        public var adbPath: String
        public var serverPath: String
        public var version: ScrcpyVersion

        public init(
            trackID: String, serial: String?, maxSize: Int = 1920, maxFPS: Int = 60, bitrateKbps: Int = 8000, audio: Bool = false,
            control: Bool = true, adbPath: String, serverPath: String, version: ScrcpyVersion = .v3_3_4
        ) {
            self.trackID = trackID
            self.serial = serial
            self.maxSize = maxSize
            self.maxFPS = maxFPS
            self.bitrateKbps = bitrateKbps
            self.audio = audio
            self.control = control
            self.adbPath = adbPath
            self.serverPath = serverPath
            self.version = version
        }
    }

    /// What the source reports besides frames.
    public enum Event: Sendable, Equatable {
        case frame(EncodedFrame)
        /// The device clipboard changed (CLIPBOARD device message).
        case clipboard(String)
        /// A line the scrcpy server logged (`[server] LEVEL: …`).
        case serverLog(String)
        /// The device is streaming (device meta read): its model name.
        case started(deviceName: String)
    }

    /// Upstream's controller queue bound (scrcpy.md §6.6).
    static let controlQueueLimit = 60
    /// RESET_VIDEO restarts the device encoder: at most one per second (scrcpy.md §11.3).
    static let resetIntervalNanoseconds: UInt64 = 1_000_000_000

    struct State: ~Copyable {
        var stopping = false
        var failed = false
        var sockets: [Int32] = []
        var controlSocket: Int32?
        var process: Process?
        var videoSize: (width: Int, height: Int)?
        var queue: [ScrcpyControlMessage] = []
        var resetPending = false
        var lastResetAt: UInt64 = 0
        var droppedControlMessages = 0
        var lastServerError = ""
    }

    public let configuration: Configuration
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()
    private let onEvent: @Sendable (Event) -> Void
    private let onFailure: @Sendable (AndroidCaptureError) -> Void

    /// Checks the settings and the server binary, then starts the setup thread; everything that can
    /// only fail on the device is reported through `onFailure`.
    public init(
        configuration: Configuration, onEvent: @escaping @Sendable (Event) -> Void,
        onFailure: @escaping @Sendable (AndroidCaptureError) -> Void
    ) throws(AndroidCaptureError) {
        self.configuration = configuration
        self.onEvent = onEvent
        self.onFailure = onFailure
        _ = try Self.serverArguments(configuration, scid: 0, forward: false)  // values the server would refuse
        try ScrcpyServerBinary.verify(path: configuration.serverPath, version: configuration.version)
        finished.enter()
        let thread = Thread { [self] in
            defer { finished.leave() }
            self.main()
        }
        thread.name = "marionette-android"
        thread.start()
        // The sockets are closed only when no thread can read or write them any more.
        finished.notify(queue: .global()) { [self] in
            let sockets = self.state.withLock { s -> [Int32] in
                defer { s.sockets = [] }
                return s.sockets
            }
            for fd in sockets { close(fd) }
        }
    }

    /// The server's arguments (scrcpy.md §3.2): explicit values for everything the stream depends on.
    static func serverArguments(_ c: Configuration, scid: UInt32, forward: Bool) throws(AndroidCaptureError) -> [String] {
        var arguments = ScrcpyServerArguments(version: c.version, scid: scid)
        arguments.video = true
        arguments.videoCodec = .h264
        arguments.videoBitRate = c.bitrateKbps * 1000
        arguments.maxSize = c.maxSize
        arguments.maxFPS = Double(c.maxFPS)
        arguments.audio = c.audio
        if c.audio { arguments.audioCodec = .opus }
        arguments.control = c.control
        arguments.tunnelForward = forward
        do { return try arguments.shellCommand() } catch { throw .invalidConfiguration(error.description) }
    }

    /// The size positional input must be stamped with: the current video size.
    public var videoSize: (width: Int, height: Int)? { state.withLock { $0.videoSize } }

    /// Queues a control message for the device (dropped when the control socket is not up yet, or
    /// beyond the queue bound unless it must not be dropped).
    public func send(_ message: ScrcpyControlMessage) {
        let queued = state.withLock { s -> Bool in
            guard !s.stopping, s.controlSocket != nil else { return false }
            if s.queue.count >= Self.controlQueueLimit && message.isDroppable {
                s.droppedControlMessages += 1
                return false
            }
            s.queue.append(message)
            return true
        }
        if queued { wake.signal() }
    }

    /// A viewer needs a key frame: `RESET_VIDEO`, at most once per second, requests in between coalesced.
    /// Before the device streams there is nothing to reset: its first frame is a key frame anyway.
    public func requestKeyframe() {
        let pending = state.withLock { s -> Bool in
            guard s.controlSocket != nil, !s.stopping else { return false }
            s.resetPending = true
            return true
        }
        if pending { wake.signal() }
    }

    /// Stops every thread and the server; waits for them. Idempotent; safe from `onEvent`.
    public func stop() {
        let alreadyStopping = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return s.stopping
        }
        shutdownSockets()
        wake.signal()
        if !alreadyStopping, !isSourceThread { finished.wait() }
    }

    private var isSourceThread: Bool {
        Thread.current.name?.hasPrefix("marionette-android") == true
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func shutdownSockets() {
        let sockets = state.withLock { $0.sockets }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: - Setup and video (the source thread)

    private func main() {
        var tunnel: ScrcpyTunnel?
        do throws(AndroidCaptureError) {
            let c = configuration
            var adb = ADB(executable: c.adbPath)
            _ = try? adb.run(["start-server"], device: false)
            let devices = ADBDeviceList(parsing: try adb.check(["devices", "-l"], device: false).stdout)
            // The stream's serial, else $ANDROID_SERIAL, else the only device (§3.1 step 2).
            let serial = c.serial ?? ProcessInfo.processInfo.environment["ANDROID_SERIAL"].flatMap { $0.isEmpty ? nil : $0 }
            let device = try devices.select(serial: serial)
            adb.serial = device.serial
            try adb.check(["push", c.serverPath, ScrcpyServerArguments.deviceServerPath])
            let scid = ScrcpyServerArguments.randomSCID()
            let socketName = ScrcpyServerArguments(version: c.version, scid: scid).socketName
            let opened = try ScrcpyTunnel.open(adb: adb, socketName: socketName)
            tunnel = opened
            let process = try startServer(adb: adb, arguments: Self.serverArguments(c, scid: scid, forward: opened.isForward))
            let count = 1 + (c.audio ? 1 : 0) + (c.control ? 1 : 0)
            let sockets = try opened.connect(count: count) { process.isRunning && !self.stopping }
            state.withLock { $0.sockets = sockets }
            opened.remove()  // right after the last socket, before reading anything (§3.1 step 8)
            tunnel = nil
            guard !stopping else { return finish(nil) }
            let video = sockets[0]
            // The device meta comes on the first socket once all are connected; only then do the
            // per-socket readers start (§3.1 step 10).
            guard let meta = LoopbackSocket.read(video, count: ScrcpyDeviceMeta.length, milliseconds: 10_000) else {
                throw .deviceDisconnected("no device meta on the first socket" + serverExitNote())
            }
            let parsed = meta.withUnsafeBytes { bytes -> Result<ScrcpyDeviceMeta, ScrcpyProtocolError> in
                do throws(ScrcpyProtocolError) { return .success(try ScrcpyDeviceMeta(parsing: bytes)) } catch { return .failure(error) }
            }
            switch parsed {
            case .success(let deviceMeta): onEvent(.started(deviceName: deviceMeta.deviceName))
            case .failure(let error): throw .protocolError(error.description)
            }
            let audio = c.audio ? sockets[1] : nil
            let control = c.control ? sockets[sockets.count - 1] : nil
            if let control {
                LoopbackSocket.setNoDelay(control)
                state.withLock { $0.controlSocket = control }
                startThread("marionette-android-control-in") { self.readDeviceMessages(control) }
                startThread("marionette-android-control-out") { self.writeControl(control) }
            }
            if let audio { startThread("marionette-android-audio") { self.readAudio(audio) } }
            try readVideo(video)
            finish(nil)
        } catch {
            tunnel?.remove()
            finish(error)
        }
    }

    private func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            defer { finished.leave() }
            body()
        }
        thread.name = name
        thread.start()
    }

    /// `adb -s SERIAL shell CLASSPATH=… app_process / com.genymobile.scrcpy.Server VERSION …`: this
    /// process is the server (§3.1 step 6); its output lines are the server's log.
    private func startServer(adb: ADB, arguments: [String]) throws(AndroidCaptureError) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: adb.executable)
        process.arguments = adb.argv(["shell"] + arguments)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .adbFailed(command: "shell", status: -1, output: "cannot run \(adb.executable): \(error)")
        }
        state.withLock { $0.process = process }
        let handle = output.fileHandleForReading
        startThread("marionette-android-log") { self.readServerLog(handle) }
        return process
    }

    private func readServerLog(_ handle: FileHandle) {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                guard !line.isEmpty else { continue }
                if line.hasPrefix("[server] ERROR: ") {
                    state.withLock { $0.lastServerError = String(line.dropFirst(16)) }
                }
                onEvent(.serverLog(line))
            }
        }
    }

    private func readVideo(_ fd: Int32) throws(AndroidCaptureError) {
        let c = configuration
        var parser = ScrcpyStreamParser(version: c.version, stream: .video)
        var config: [UInt8]?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let duration = Int64(1_000_000 / max(c.maxFPS, 1))
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                if stopping { return }
                let reason = n == 0 ? "the video socket ended" : "reading the video socket failed (errno \(errno))"
                throw .deviceDisconnected(reason + serverExitNote())
            }
            let failure = buffer.withUnsafeBytes { chunk -> ScrcpyProtocolError? in
                do throws(ScrcpyProtocolError) {
                    try parser.parse(UnsafeRawBufferPointer(rebasing: chunk[0..<n])) { event in
                        switch event {
                        case .videoSize(let size):
                            state.withLock { $0.videoSize = (Int(size.width), Int(size.height)) }
                        case .session(let session):
                            state.withLock { $0.videoSize = (Int(session.size.width), Int(session.size.height)) }
                        case .config(let bytes):
                            config = bytes
                            if let size = H264SPSSize(annexB: bytes) {
                                // 3.3.4 announces a rotation only through the new SPS (§11.4).
                                state.withLock { $0.videoSize = (size.width, size.height) }
                            }
                        case .media(let packet):
                            var data = packet.payload
                            if let pending = config {
                                data = pending + data
                                config = nil
                            }
                            let size = state.withLock { $0.videoSize } ?? (width: 0, height: 0)
                            onEvent(
                                .frame(
                                    EncodedFrame(
                                        trackID: c.trackID, ptsMicroseconds: Int64(packet.ptsMicroseconds), durationMicroseconds: duration,
                                        keyframe: packet.isKeyFrame, data: data, width: size.width, height: size.height, codec: "h264")))
                        case .codec, .disabled, .deviceMeta:
                            break
                        }
                    }
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw .protocolError(failure.description) }
        }
    }

    private func serverExitNote() -> String {
        let (process, error) = state.withLock { ($0.process, $0.lastServerError) }
        guard let process, !process.isRunning else { return "" }
        return " (the server exited with status \(process.terminationStatus)" + (error.isEmpty ? ")" : ": \(error))")
    }

    /// Ends the source: sockets shut, server given 1 s, then killed; a failure reported once.
    private func finish(_ error: AndroidCaptureError?) {
        let (report, process, sockets) = state.withLock { s -> (Bool, Process?, [Int32]) in
            let report = error != nil && !s.stopping && !s.failed
            if report { s.failed = true }
            s.stopping = true
            return (report, s.process, s.sockets)
        }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        wake.signal()
        if let process, process.isRunning {
            let deadline = Date().addingTimeInterval(1)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        if report, let error { onFailure(error) }
    }

    // MARK: - Other sockets

    /// Opus packets as `EncodedFrame`s of track `audio` (scrcpy.md §5.6, §11.6): the OpusHead config
    /// packet is not sent over RTP; codec id 0 (Android < 11, capture refused) leaves the stream
    /// without audio, a configuration error (1) or another codec ends the source.
    private func readAudio(_ fd: Int32) {
        var parser = ScrcpyStreamParser(version: configuration.version, stream: .audio)
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }  // the video socket tells a disconnection apart
            var disabled = false
            var wrongCodec: ScrcpyCodecID?
            let failure = buffer.withUnsafeBytes { chunk -> ScrcpyProtocolError? in
                do throws(ScrcpyProtocolError) {
                    try parser.parse(UnsafeRawBufferPointer(rebasing: chunk[0..<n])) { event in
                        switch event {
                        case .codec(let codec) where codec != .opus: wrongCodec = codec
                        case .disabled: disabled = true
                        case .media(let packet):
                            onEvent(
                                .frame(
                                    EncodedFrame(
                                        trackID: "audio", ptsMicroseconds: Int64(packet.ptsMicroseconds), durationMicroseconds: 20_000,
                                        keyframe: false, data: packet.payload, width: 0, height: 0, codec: "opus")))
                        default: break
                        }
                    }
                    return nil
                } catch {
                    return error
                }
            }
            if let failure {
                finish(.protocolError("audio: \(failure.description)"))
                return
            }
            if let wrongCodec {
                finish(.protocolError("the device sends \(wrongCodec) audio, not opus"))
                return
            }
            if disabled {
                onEvent(.serverLog("audio disabled by the device (Android < 11 or capture refused): video only"))
                return
            }
        }
    }

    private func readDeviceMessages(_ fd: Int32) {
        var parser = ScrcpyDeviceMessageParser()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            guard let events = try? parser.parse(Array(buffer[0..<n])) else {
                finish(.protocolError("undecodable device message on the control socket"))
                return
            }
            for case .message(let message) in events {
                if case .clipboard(let text) = message { onEvent(.clipboard(text)) }
            }
        }
        if !stopping { finish(.deviceDisconnected("the control socket ended" + serverExitNote())) }
    }

    private func writeControl(_ fd: Int32) {
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            let now = DispatchTime.now().uptimeNanoseconds
            let (messages, stop) = state.withLock { s -> ([ScrcpyControlMessage], Bool) in
                var batch = s.queue
                s.queue.removeAll()
                if s.resetPending, now &- s.lastResetAt >= Self.resetIntervalNanoseconds {
                    s.resetPending = false
                    s.lastResetAt = now
                    batch.append(.resetVideo)
                }
                return (batch, s.stopping)
            }
            if stop { return }
            for message in messages {
                guard let bytes = try? message.encoded(for: configuration.version) else { continue }
                guard LoopbackSocket.write(fd, bytes) else {
                    if !stopping { finish(.deviceDisconnected("writing the control socket failed" + serverExitNote())) }
                    return
                }
            }
        }
    }
}
