import Core
import Testing

@Suite struct CIDRTests {
    @Test func parsesAndMatchesIPv4() throws {
        let loopback = try #require(CIDR("127.0.0.0/8"))
        #expect(loopback.description == "127.0.0.0/8")
        #expect(loopback.contains("127.1.2.3") && !loopback.contains("128.0.0.1"))
        #expect(loopback.contains("::ffff:127.0.0.1"))
        #expect(CIDR("10.9.8.7/8")?.description == "10.0.0.0/8")
        #expect(CIDR("192.168.1.1")?.description == "192.168.1.1/32")
        #expect(CIDR("0.0.0.0/0")?.contains("8.8.8.8") == true)
        #expect(CIDR("10.0.0.0/12")?.contains("10.15.255.255") == true)
        #expect(CIDR("10.0.0.0/12")?.contains("10.16.0.0") == false)
    }

    @Test func parsesAndMatchesIPv6() throws {
        let one = try #require(CIDR("::1/128"))
        #expect(one.contains("::1") && !one.contains("::2") && !one.contains("127.0.0.1"))
        let doc = try #require(CIDR("2001:db8::/32"))
        #expect(doc.contains("2001:db8:1::5") && !doc.contains("2001:db9::1"))
        #expect(CIDR("fe80::1%eth0")?.prefixLength == 128)
        #expect(CIDR.parseAddress("::ffff:1.2.3.4") == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4])
    }

    @Test func refusesGarbage() {
        for bad in ["", "/8", "1.2.3/8", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/x", "256.0.0.1", "1::2::3", "12345::", "::1/129", "a.b.c.d"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }
}
