import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel whether a TCP port can be had, where a listener's own bind would not say: a
/// `SO_REUSEPORT` group (which any socket of the same user may join), and a TCP tunnel's public
/// port (picked from a range, then held until its listener takes it over).
enum TCPPortProbe {
    /// Throws the bind error when another socket holds `host:port`. A bind alone, without
    /// `SO_REUSEPORT` and without listening: a listening probe would complete handshakes, and a
    /// client that reached it as the server started would be left with a connection nobody serves.
    static func requireFree(host: String, port: Int) throws {
        close(try boundSocket(host: host, port: port, reuseAddress: true))
    }

    /// A TCP socket bound to `host:port`, not listening: it holds the port until it is closed or
    /// listened on. Throws the bind error when another socket holds the port. `reuseAddress`
    /// (`SO_REUSEADDR`) lets the bind pass connections in TIME_WAIT, but also another socket
    /// that is bound with it and not listening yet: a socket that must hold the port alone goes
    /// without it.
    static func boundSocket(host: String, port: Int, reuseAddress: Bool) throws -> CInt {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let fd = socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        if reuseAddress {
            var on: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockAddr { pointer, length in bind(fd, pointer, socklen_t(length)) }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw IOError(errnoCode: code, reason: "bind \(host):\(port)")
        }
        return fd
    }
}
