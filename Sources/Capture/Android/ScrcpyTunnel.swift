#if canImport(Glibc)
import Glibc
#endif

/// The adb tunnel between the scrcpy client and the device (scrcpy.md §3.1 steps 5, 7 and 8, §4),
/// set up exactly as the reference client does: `adb reverse` on the first usable port of
/// 27183...27199 with a listener (backlog 1) on it; when `adb reverse` itself fails (some
/// `adb connect` setups), `adb forward` instead, with the server told `tunnel_forward=true`.
final class ScrcpyTunnel {
    enum Mode: Equatable {
        /// The device connects to us through `adb reverse`; we listen.
        case reverse(listener: Int32)
        /// We connect to the device through `adb forward`; the server listens and sends the dummy byte.
        case forward
    }

    let adb: ADB
    let socketName: String
    let port: Int
    private(set) var mode: Mode
    private var removed = false

    private init(adb: ADB, socketName: String, port: Int, mode: Mode) {
        self.adb = adb
        self.socketName = socketName
        self.port = port
        self.mode = mode
    }

    var isForward: Bool { mode == .forward }

    static func open(adb: ADB, socketName: String, ports: ClosedRange<Int> = ScrcpyServerArguments.localPortRange)
        throws(AndroidCaptureError) -> ScrcpyTunnel
    {
        let device = "localabstract:" + socketName
        var reverseWorks = true
        for port in ports where reverseWorks {
            let output = try adb.run(["reverse", device, "tcp:\(port)"])
            guard output.status == 0 else {
                // A failing command fails for every port: forward mode.
                reverseWorks = false
                break
            }
            if let listener = LoopbackSocket.listen(port: port) {
                return ScrcpyTunnel(adb: adb, socketName: socketName, port: port, mode: .reverse(listener: listener))
            }
            _ = try? adb.run(["reverse", "--remove", device])  // port taken here: next one
        }
        if reverseWorks { throw .tunnel("no free local port in \(ports) for adb reverse") }
        for port in ports {
            let output = try adb.run(["forward", "tcp:\(port)", device])
            if output.status == 0 { return ScrcpyTunnel(adb: adb, socketName: socketName, port: port, mode: .forward) }
        }
        throw .tunnel("adb reverse failed and adb forward found no usable port in \(ports)")
    }

    /// The `count` sockets in protocol order (video, audio, control). Waits while `alive()` (the
    /// server process runs, the source is not stopping) and at most `timeoutMilliseconds`; forward
    /// mode polls the first connection up to 100 times, 100 ms apart, and reads its dummy byte.
    func connect(count: Int, timeoutMilliseconds: Int = 15_000, alive: () -> Bool) throws(AndroidCaptureError) -> [Int32] {
        var sockets: [Int32] = []
        func fail(_ error: AndroidCaptureError) -> AndroidCaptureError {
            for fd in sockets { close(fd) }
            return error
        }
        switch mode {
        case .reverse(let listener):
            var waited = 0
            while sockets.count < count {
                guard alive() else { throw fail(.tunnel("the server ended before connecting its sockets")) }
                guard waited < timeoutMilliseconds else {
                    throw fail(.tunnel("the server connected \(sockets.count) of \(count) sockets within \(timeoutMilliseconds) ms"))
                }
                if let fd = LoopbackSocket.accept(listener, milliseconds: 100) { sockets.append(fd) } else { waited += 100 }
            }
        case .forward:
            var attempts = 0
            while sockets.isEmpty {
                guard alive() else { throw fail(.tunnel("the server ended before accepting a connection")) }
                if let fd = LoopbackSocket.connect(port: port) {
                    // adb accepts even when nothing listens on the device; the dummy byte tells them apart.
                    if LoopbackSocket.read(fd, count: 1, milliseconds: 2000) != nil {
                        sockets.append(fd)
                        break
                    }
                    close(fd)
                }
                attempts += 1
                guard attempts < 100 else { throw fail(.tunnel("no answer on 127.0.0.1:\(port) after 100 attempts")) }
                usleep(100_000)
            }
            while sockets.count < count {
                guard let fd = LoopbackSocket.connect(port: port) else {
                    throw fail(.tunnel("connecting socket \(sockets.count + 1) of \(count) failed"))
                }
                sockets.append(fd)
            }
        }
        return sockets
    }

    /// Removes the tunnel (established connections survive) and closes the listener; a failed
    /// removal is only reported. Idempotent.
    @discardableResult
    func remove() -> AndroidCaptureError? {
        guard !removed else { return nil }
        removed = true
        do {
            switch mode {
            case .reverse(let listener):
                close(listener)
                try adb.check(["reverse", "--remove", "localabstract:" + socketName])
            case .forward:
                try adb.check(["forward", "--remove", "tcp:\(port)"])
            }
        } catch { return error }
        return nil
    }
}
