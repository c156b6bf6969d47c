import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

public struct TCPRelayError: Error, CustomStringConvertible {
    public let description: String
}

/// A loopback TCP relay whose connections the test can cut, to simulate a dropped network path
/// between a runner and the server. Its listening port never changes, so a test can restart the
/// server behind it on a fresh port (``retarget(_:)``) instead of rebinding the old one, which
/// another socket may have taken meanwhile. Plain sockets and threads: test code, not a hot path.
public final class TCPRelay: Sendable {
    public let port: Int
    private let listener: Int32
    private let target: Atomic<Int>
    private let open = Mutex<[Int32]>([])
    private let accepted = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    public var acceptedConnections: Int { accepted.load(ordering: .relaxed) }

    public init(target: Int) throws {
        self.target = Atomic(target)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw TCPRelayError(description: "relay cannot listen: errno \(errno)") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Sends new connections to `port` from now on; open ones stay where they are.
    public func retarget(_ port: Int) {
        target.store(port, ordering: .relaxed)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                // Signals (SIGCHLD from other tests' processes) interrupt accept; only stop() ends the loop.
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(target.load(ordering: .relaxed)).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(client)
                close(upstream)
                continue
            }
            accepted.add(1, ordering: .relaxed)
            open.withLock { $0 += [client, upstream] }
            Thread.detachNewThread { Self.pump(from: client, to: upstream) }
            Thread.detachNewThread { Self.pump(from: upstream, to: client) }
        }
    }

    private static func pump(from source: Int32, to sink: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(source, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var offset = 0
            while offset < n {
                let written = buffer[offset..<n].withUnsafeBytes { write(sink, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { shutdown(source, Int32(SHUT_RDWR)); return }
                offset += written
            }
        }
        shutdown(sink, Int32(SHUT_RDWR))
    }

    /// Drops every relayed connection at once (both directions), as a network failure would.
    public func cutAll() {
        let sockets = open.withLock { list -> [Int32] in
            defer { list.removeAll() }
            return list
        }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        cutAll()
    }
}
