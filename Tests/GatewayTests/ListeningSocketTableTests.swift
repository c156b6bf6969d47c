import NIOCore
import Testing

@testable import Gateway

/// `/proc/net/tcp` parsing for the public listener's check that no other process shares its port.
@Suite struct ListeningSocketTableTests {
    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143452 1 0 100 0 0 10 0
           1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143453 1 0 100 0 0 10 0
           2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 22143460 1 0 20 4 30 10 -1
           3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143470 1 0 100 0 0 10 0
           4: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22143480 1 0 100 0 0 10 0
        """

    @Test func addressesAreWrittenAsTheKernelPrintsThem() throws {
        #expect(ListeningSocketTable.procText(of: try SocketAddress(ipAddress: "127.0.0.1", port: 8080)) == "0100007F")
        #expect(ListeningSocketTable.procText(of: try SocketAddress(ipAddress: "0.0.0.0", port: 8080)) == "00000000")
        #expect(ListeningSocketTable.procText(of: try SocketAddress(ipAddress: "10.1.2.3", port: 1)) == "0302010A")
        #expect(
            ListeningSocketTable.procText(of: try SocketAddress(ipAddress: "::1", port: 8080))
                == "00000000000000000000000001000000")
    }

    @Test func countsOnlyListenersOfThatAddressAndPort() {
        // Port 8080 = 1F90: two listeners on 127.0.0.1, one established connection, one on 0.0.0.0.
        #expect(ListeningSocketTable.listening(address: "0100007F", port: 8080, in: Self.table) == 2)
        #expect(ListeningSocketTable.listening(address: "00000000", port: 8080, in: Self.table) == 1)
        #expect(ListeningSocketTable.listening(address: "0100007F", port: 8081, in: Self.table) == 1)
        #expect(ListeningSocketTable.listening(address: "0100007F", port: 9090, in: Self.table) == 0)
    }
}
