import Core
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `/proc/net/{tcp,udp}` parsing for the listeners' check that no other process shares their port.
@Suite struct ProcNetSocketsTests {
    static let tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143452 1 0 100 0 0 10 0
           1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143453 1 0 100 0 0 10 0
           2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 22143460 1 0 20 4 30 10 -1
           3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143470 1 0 100 0 0 10 0
           4: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143480 1 0 100 0 0 10 0
           5: 0200007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143490 1 0 100 0 0 10 0
        """

    static let udp = """
           sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          101: 0100007F:C350 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 3301 2 0000000000000000 0
          101: 0100007F:C350 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 3302 2 0000000000000000 0
          102: 0100007F:C351 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 3303 2 0000000000000000 0
        """

    @Test func addressesAreWrittenAsTheKernelPrintsThem() {
        #expect(ProcNetSockets.procText(ipAddress: "127.0.0.1") == "0100007F")
        #expect(ProcNetSockets.procText(ipAddress: "0.0.0.0") == "00000000")
        #expect(ProcNetSockets.procText(ipAddress: "10.1.2.3") == "0302010A")
        #expect(ProcNetSockets.procText(ipAddress: "::1") == "00000000000000000000000001000000")
        #expect(ProcNetSockets.procText(ipAddress: "::") == String(repeating: "0", count: 32))
        #expect(ProcNetSockets.procText(ipAddress: "localhost") == nil)
        #expect(ProcNetSockets.procText(ipAddress: "300.1.1.1") == nil)
    }

    @Test func countsTheListenersThatShareAnAddressAndPort() {
        // Port 8080 = 1F90: two listeners on 127.0.0.1, one established connection, one on 0.0.0.0
        // (it takes 127.0.0.1's connections too), one on 127.0.0.2.
        #expect(ProcNetSockets.sharing(address: "0100007F", port: 8080, state: "0A", in: Self.tcp) == 3)
        #expect(ProcNetSockets.sharing(address: "0200007F", port: 8080, state: "0A", in: Self.tcp) == 2)
        // The wildcard shares with every address on the port.
        #expect(ProcNetSockets.sharing(address: "00000000", port: 8080, state: "0A", in: Self.tcp) == 4)
        #expect(ProcNetSockets.sharing(address: "0100007F", port: 8081, state: "0A", in: Self.tcp) == 1)
        #expect(ProcNetSockets.sharing(address: "0100007F", port: 9090, state: "0A", in: Self.tcp) == 0)
        // Without a state, the connection counts too.
        #expect(ProcNetSockets.sharing(address: "0100007F", port: 8080, state: nil, in: Self.tcp) == 4)
    }

    @Test func countsUDPSocketsInAnyState() {
        // 50000 = C350: a two-socket group; 50001 another socket.
        #expect(ProcNetSockets.sharing(address: "0100007F", port: 50000, state: nil, in: Self.udp) == 2)
        #expect(ProcNetSockets.sharing(address: "0100007F", port: 50001, state: nil, in: Self.udp) == 1)
        #expect(ProcNetSockets.sharing(address: "0100007F", port: 50002, state: nil, in: Self.udp) == 0)
    }

    @Test func readsTheKernelsTables() throws {
        // This process's own UDP socket on an ephemeral port shows up once.
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        #expect(ProcNetSockets.members(.udp, ipAddress: "127.0.0.1", port: port) == 1)
        #expect(ProcNetSockets.members(.tcp, ipAddress: "127.0.0.1", port: port) == 0)
        #expect(ProcNetSockets.members(.udp, ipAddress: "not-an-address", port: port) == nil)
    }

    @Test func namesTheMembersByInode() {
        #expect(ProcNetSockets.sharingInodes(address: "0100007F", port: 8080, state: "0A", in: Self.tcp) == ["22143452", "22143453", "22143470"])
        #expect(ProcNetSockets.sharingInodes(address: "0100007F", port: 50000, state: nil, in: Self.udp) == ["3301", "3302"])
    }

    /// A group larger than ours is reported, by the sockets' inodes, only when a second read finds
    /// it too; a group of the size we expect is not.
    @Test func strangersAreTheSocketsBeyondTheExpectedGroup() async throws {
        let first = try Self.reusePortUDPSocket(port: 0)
        defer { close(first.fd) }
        let second = try Self.reusePortUDPSocket(port: first.port)
        defer { close(second.fd) }
        #expect(await ProcNetSockets.strangers(.udp, ipAddress: "127.0.0.1", port: first.port, expected: 2) == nil)
        let found = try #require(await ProcNetSockets.strangers(.udp, ipAddress: "127.0.0.1", port: first.port, expected: 1))
        #expect(Set(found.map(String.init)) == [Self.inode(first.fd), Self.inode(second.fd)])
    }

    private static func reusePortUDPSocket(port: Int) throws -> (fd: CInt, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        if !bound { close(fd) }
        try #require(bound)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A socket's inode as the tables print it.
    private static func inode(_ fd: CInt) -> String {
        var status = stat()
        fstat(fd, &status)
        return String(status.st_ino)
    }
}
