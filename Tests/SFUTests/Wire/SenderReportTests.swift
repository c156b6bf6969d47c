import Testing

@testable import SFU

/// Sender reports to viewers: the NTP timestamp format, the RTP↔source-clock mapping, and the
/// SR + SDES compound packet byte for byte against RFC 3550 §6.4.1 and §6.5.1.
@Suite struct SenderReportTests {
    @Test func ntpTimestampFromUnixTime() {
        #expect(NTPTimestamp(unixNanoseconds: 0).rawValue == 0x83AA_7E80_0000_0000)
        let quarter = NTPTimestamp(unixNanoseconds: 1_700_000_000_250_000_000)
        #expect(quarter.rawValue == 0xE8FE_6F80_4000_0000)
        #expect(quarter.seconds == 0xE8FE_6F80 && quarter.fraction == 0x4000_0000)
        #expect(quarter.compact == 0x6F80_4000)
        #expect(quarter.unixNanoseconds == 1_700_000_000_250_000_000)
        // Round trip within one nanosecond for arbitrary fractions (2^-32 s ≈ 0.23 ns resolution).
        for nanoseconds: UInt64 in [1, 999_999_999, 123_456_789, 500_000_001] {
            let unix = 1_764_000_000 * 1_000_000_000 + nanoseconds
            let back = NTPTimestamp(unixNanoseconds: unix).unixNanoseconds
            #expect(abs(back - Int64(unix)) <= 1, "\(nanoseconds)")
        }
        #expect(NTPTimestamp(rawValue: 0x0000_0001_8000_0000).nanosecondsSince1900 == 1_500_000_000)
    }

    @Test func mappingExtrapolatesAtTheClockRateBothWaysAndWraps() {
        let video = RTPTimestampMapping(sourceNanoseconds: 10_000_000_000, rtpTimestamp: 4_294_900_000, clockRate: 90_000)
        #expect(video.rtpTimestamp(atSourceNanoseconds: 10_000_000_000) == 4_294_900_000)
        #expect(video.rtpTimestamp(atSourceNanoseconds: 11_000_000_000) == 4_294_900_000 &+ 90_000)  // wraps past 2^32
        #expect(video.rtpTimestamp(atSourceNanoseconds: 9_500_000_000) == 4_294_900_000 - 45_000)
        #expect(video.rtpTimestamp(atSourceNanoseconds: 10_033_333_333) == 4_294_900_000 &+ 2_999)  // truncated tick
        // One hour ahead: 324,000,000 ticks, no 64-bit overflow on the way.
        #expect(video.rtpTimestamp(atSourceNanoseconds: 10_000_000_000 + 3_600_000_000_000) == 4_294_900_000 &+ 324_000_000)
        let audio = RTPTimestampMapping(sourceNanoseconds: -5_000_000, rtpTimestamp: 100, clockRate: 48_000)
        #expect(audio.rtpTimestamp(atSourceNanoseconds: 15_000_000) == 100 + 960)  // 20 ms of Opus
        // An NTP-scale source clock (nanoseconds since 1900) works the same.
        let ntp = NTPTimestamp(unixNanoseconds: 1_764_000_000_000_000_000).nanosecondsSince1900
        let publisher = RTPTimestampMapping(sourceNanoseconds: ntp, rtpTimestamp: 7, clockRate: 90_000)
        #expect(publisher.rtpTimestamp(atSourceNanoseconds: ntp + 2_000_000_000) == 180_007)
    }

    @Test func senderReportWithCNAMEIsByteExact() throws {
        let report = RTCPSenderReportBuilder(
            ssrc: 0x1122_3344, ntpTimestamp: NTPTimestamp(unixNanoseconds: 1_700_000_000_250_000_000),
            rtpTimestamp: 0xCAFE_BABE, packetCount: 1000, octetCount: 1_234_567, cname: "marionette-strm_x")
        #expect(report.length == 56)
        let bytes = try written { try report.write(into: $0) }
        let expected: [UInt8] =
            [
                0x80, 200, 0x00, 0x06,  // V=2 P=0 RC=0, PT=SR, length 7 words - 1
                0x11, 0x22, 0x33, 0x44,  // SSRC of sender
                0xE8, 0xFE, 0x6F, 0x80, 0x40, 0x00, 0x00, 0x00,  // NTP 2023-11-14T22:13:20.25Z
                0xCA, 0xFE, 0xBA, 0xBE,  // RTP timestamp
                0x00, 0x00, 0x03, 0xE8,  // packet count
                0x00, 0x12, 0xD6, 0x87,  // octet count
                0x81, 202, 0x00, 0x06,  // V=2 P=0 SC=1, PT=SDES, 7 words - 1
                0x11, 0x22, 0x33, 0x44,  // chunk SSRC
                0x01, 17,  // CNAME, 17 octets
            ] + Array("marionette-strm_x".utf8) + [0x00]  // end of items, already on a 32-bit boundary
        #expect(bytes == expected)
        // Our own parser reads it back as SR + SDES.
        let packets = try rtcpPackets(bytes)
        #expect(packets.count == 2)
        guard case .senderReport(let sr) = packets[0], case .sourceDescription(let sdes) = packets[1] else {
            Issue.record("not SR + SDES: \(packets)")
            return
        }
        #expect(sr.ssrc == 0x1122_3344 && sr.rtpTimestamp == 0xCAFE_BABE && sr.packetCount == 1000 && sr.octetCount == 1_234_567)
        #expect(sr.reportCount == 0 && sr.compactNTP == 0x6F80_4000)
        #expect(sdes.count == 1 && sdes.length == 28)
    }

    @Test func sdesPaddingAndReducedSizeAndLimits() throws {
        var report = RTCPSenderReportBuilder(
            ssrc: 1, ntpTimestamp: NTPTimestamp(rawValue: 2), rtpTimestamp: 3, packetCount: 4, octetCount: 5, cname: "ab")
        // 2 + 2 + 1 null = 5 → padded to 8: SDES is 16 bytes.
        let short = try written { try report.write(into: $0) }
        #expect(short.count == 44)
        #expect(Array(short[28...]) == [0x81, 202, 0, 3, 0, 0, 0, 1, 1, 2, 0x61, 0x62, 0, 0, 0, 0])
        // A CNAME whose item ends on a word boundary still gets its terminating null (one more word).
        report.cname = "abcdef"
        let aligned = try written { try report.write(into: $0) }
        #expect(aligned.count == 28 + 8 + 12 && aligned[28 + 8 + 8] == 0)
        report.cname = nil
        let reduced = try written { try report.write(into: $0) }
        #expect(reduced == [0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5])
        // Written after other packets at an offset, and nothing at all when it does not fit.
        let shifted = try written { try 4 + report.write(into: $0, at: 4) }
        #expect(Array(shifted[4...]) == reduced)
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 28)) { _ = try written(capacity: 27) { try report.write(into: $0) } }
        report.cname = String(repeating: "x", count: 256)
        #expect(throws: RTPWriteError.invalidValue) { _ = try written { try report.write(into: $0) } }
    }
}
