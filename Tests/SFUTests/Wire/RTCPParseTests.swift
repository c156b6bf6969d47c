import Testing
@testable import SFU

@Suite struct RTCPParseTests {
    @Test func parsesChromeTWCC() throws {
        let bytes = Fixtures.chromeTWCC
        guard case .transportWideCC(let twcc) = try rtcpSingle(bytes) else {
            Issue.record("not TWCC"); return
        }
        #expect(twcc.header.padding && twcc.header.paddingLength == 1 && twcc.header.length == 32)
        #expect(twcc.senderSSRC == 1)
        #expect(twcc.mediaSSRC == 0xDD58_6EB6)
        #expect(twcc.baseSequenceNumber == 1)
        #expect(twcc.packetStatusCount == 9)
        #expect(twcc.referenceTime == 6_197_520)
        #expect(twcc.referenceTimeMicroseconds == 6_197_520 * 64_000)
        #expect(twcc.feedbackPacketCount == 0)
        let statuses = try twccStatuses(bytes, twcc)
        #expect(statuses.map(\.sequenceNumber) == Array(1...9))
        #expect(statuses.map(\.delta) == [28, 12, 44, 56, 0, 4, 0, 8, 24])
        #expect(statuses[0].deltaMicroseconds == 7000)  // 7 ms, as Wireshark shows
    }

    /// Status-vector chunks from draft-holmer-...-01 §3.1.4 (example 1, 0x9F1C) and a
    /// 2-bit vector, with small, large, negative deltas and a negative reference time.
    @Test func decodesStatusVectorsAndLargeDeltas() throws {
        let bytes = hex("""
            afcd0009 00000001 00000002 00640015 ffffff07
            9f1c d820
            0102030405060708 ff 8000 7fff
            000003
            """)
        guard case .transportWideCC(let twcc) = try rtcpSingle(bytes) else {
            Issue.record("not TWCC"); return
        }
        #expect(twcc.referenceTime == -1)
        #expect(twcc.feedbackPacketCount == 7)
        let statuses = try twccStatuses(bytes, twcc)
        #expect(statuses.count == 21)
        #expect(statuses.first?.sequenceNumber == 100 && statuses.last?.sequenceNumber == 120)
        let expected: [Int16?] = [nil, 1, 2, 3, 4, 5, nil, nil, nil, 6, 7, 8, nil, nil,
                                  255, -32768, nil, nil, 32767, nil, nil]
        #expect(statuses.map(\.delta) == expected)
        #expect(statuses.filter(\.isReceived).count == 11)
    }

    @Test func twccSequenceWrapsAndRunLengthTruncation() throws {
        // base 65534, count 3, one run of 8191 small deltas truncated to 3.
        let bytes = hex("afcd0006 00000001 00000002 fffe0003 00000101 3fff 0a0b0c 000003")
        guard case .transportWideCC(let twcc) = try rtcpSingle(bytes) else {
            Issue.record("not TWCC"); return
        }
        let statuses = try twccStatuses(bytes, twcc)
        #expect(statuses.map(\.sequenceNumber) == [65534, 65535, 0])
        #expect(statuses.map(\.delta) == [10, 11, 12])
    }

    @Test func malformedTWCCThrowsBeforeAnyCallback() throws {
        var bytes = Fixtures.chromeTWCC
        bytes[15] = 10  // status count 10: needs a second chunk, deltas no longer fit
        guard case .transportWideCC(let twcc) = try rtcpSingle(bytes) else {
            Issue.record("not TWCC"); return
        }
        var calls = 0
        #expect(throws: RTCPParseError.truncated) {
            try bytes.withUnsafeBytes { try twcc.forEachPacket(in: $0) { _ in calls += 1 } }
        }
        #expect(calls == 0)

        // Reserved symbol 3 in a run-length chunk.
        let fixed = hex("8fcd0005 00000001 00000002 00000001 00000000 6001 0000")
        let packet = try rtcpSingle(fixed)
        guard case .transportWideCC(let bad) = packet else { Issue.record("not TWCC"); return }
        #expect(throws: RTCPParseError.malformed) {
            try fixed.withUnsafeBytes { try bad.forEachPacket(in: $0) { _ in calls += 1 } }
        }
        #expect(calls == 0)
    }

    @Test func parsesWebRTCREMBVector() throws {
        let bytes = Fixtures.webrtcREMB
        guard case .remb(let remb) = try rtcpSingle(bytes) else { Issue.record("not REMB"); return }
        #expect(remb.senderSSRC == 0x1234_5678)
        #expect(remb.exponent == 1)
        #expect(remb.mantissa == 0x3FB93)
        #expect(remb.bitrate == 522_022)
        bytes.withUnsafeBytes { buffer in
            #expect(Array(remb.ssrcs(in: buffer)) == [0x2345_6789, 0x2345_678A, 0x2345_678B])
        }
    }

    @Test func rembBitrateSaturatesAndEncodes() {
        #expect(RTCPRemb.encode(bitrate: 0) == (0, 0))
        #expect(RTCPRemb.encode(bitrate: 0x3FFFF) == (0, 0x3FFFF))
        #expect(RTCPRemb.encode(bitrate: 1_500_000) == (3, 187_500))
        #expect(RTCPRemb.encode(bitrate: .max) == (46, 0x3FFFF))
        // exp 63 with a full mantissa cannot be represented in 64 bits.
        let bytes = hex("8fce0004 00000001 00000000 52454d42 00ffffff")
        guard case .remb(let remb) = try? rtcpSingle(bytes) else { Issue.record("not REMB"); return }
        #expect(remb.exponent == 63)
        #expect(remb.bitrate == .max)
    }

    @Test func parsesChromeCompoundRRAndREMB() throws {
        let bytes = Fixtures.chromeRRREMB
        let packets = try rtcpPackets(bytes)
        #expect(packets.count == 2)
        guard case .receiverReport(let rr) = packets[0], case .remb(let remb) = packets[1] else {
            Issue.record("unexpected packets \(packets)"); return
        }
        #expect(rr.ssrc == 1 && rr.reportCount == 1)
        #expect(remb.header.offset == 32)
        #expect(remb.bitrate == 1_500_000)
        bytes.withUnsafeBytes { buffer in
            let blocks = Array(rr.reportBlocks(in: buffer))
            #expect(blocks == [RTCPReportBlock(
                ssrc: 0xDD58_6EB6, fractionLost: 0, cumulativeLost: 0, highestSequenceNumber: 0x11A5F,
                jitter: 0x12, lastSenderReport: 0xD409_0549, delaySinceLastSenderReport: 0x12000)])
            #expect(Array(remb.ssrcs(in: buffer)) == [0xDD58_6EB6])
        }
    }

    @Test func reportBlockNegativeCumulativeLost() throws {
        let bytes = hex("""
            81c90007 0000abcd 11111111 40fffffe 0001ffff 00000010 00000000 00000000
            """)
        guard case .receiverReport(let rr) = try rtcpSingle(bytes) else { Issue.record("not RR"); return }
        let block = bytes.withUnsafeBytes { Array(rr.reportBlocks(in: $0)) }.first
        #expect(block?.fractionLost == 0x40)
        #expect(block?.cumulativeLost == -2)
        #expect(block?.highestSequenceNumber == 0x1FFFF)
        #expect(block?.jitter == 16)
    }

    @Test func parsesNACKBitmask() throws {
        // RFC 4585 §6.2.1: PID 16, BLP 0x8001 -> 16, 17 (bit 0), 32 (bit 15); then PID 65535, BLP 1 -> 65535, 0.
        let bytes = hex("81cd0004 00000001 00000002 00108001 ffff0001")
        guard case .nack(let nack) = try rtcpSingle(bytes) else { Issue.record("not NACK"); return }
        #expect(nack.senderSSRC == 1 && nack.mediaSSRC == 2 && nack.entryCount == 2)
        let lost = bytes.withUnsafeBytes { Array(nack.lostSequenceNumbers(in: $0)) }
        #expect(lost == [16, 17, 32, 65535, 0])
    }

    @Test func classifiesOtherPacketTypes() throws {
        let sdes = hex("81ca0003 00000001 01046162 63640000")  // CNAME "abcd"
        let app = hex("80cc0002 00000001 41424344")
        let afbOther = hex("8fce0003 00000001 00000000 58585858")
        let rtpfbOther = hex("83cd0002 00000001 00000002")  // TMMBR-like fmt 3, unparsed
        let packets = try rtcpPackets(sdes + app + afbOther + rtpfbOther)
        #expect(packets.count == 4)
        guard case .sourceDescription(let h) = packets[0] else { Issue.record("not SDES"); return }
        #expect(h.length == 16 && h.count == 1)
        guard case .other(let a) = packets[1], case .other(let b) = packets[2], case .other(let c) = packets[3] else {
            Issue.record("expected .other"); return
        }
        #expect(a.packetType == 204 && a.offset == 16)
        #expect(b.packetType == 206 && b.format == 15)
        #expect(c.packetType == 205 && c.format == 3)
    }

    @Test func parsesBYEWithReason() throws {
        let bytes = hex("82cb0003 00000001 00000002 03627965")  // 2 SSRCs, reason "bye"
        guard case .bye(let bye) = try rtcpSingle(bytes) else { Issue.record("not BYE"); return }
        bytes.withUnsafeBytes { buffer in
            #expect(Array(bye.ssrcs(in: buffer)) == [1, 2])
        }
        #expect(bye.reasonRange == 13..<16)
        #expect(Array(bytes[bye.reasonRange!]) == Array("bye".utf8))
        // Reason length running past the packet is malformed.
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("81cb0002 00000001 09627965")) }
    }

    @Test func rejectsMalformedPackets() {
        #expect(throws: RTCPParseError.badVersion(1)) { try rtcpPackets(hex("41c90001 00000001")) }
        #expect(throws: RTCPParseError.truncated) { try rtcpPackets(hex("81c90007 00000001")) }
        #expect(throws: RTCPParseError.truncated) { try rtcpPackets([0x80, 0xC9]) }
        // RC=1 but no room for the report block.
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("81c90001 00000001")) }
        // SR too short for sender info.
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("80c80001 00000001")) }
        // Padding count 0, and larger than the body.
        #expect(throws: RTCPParseError.invalidPadding) { try rtcpPackets(hex("a0c90001 00000000")) }
        #expect(throws: RTCPParseError.invalidPadding) { try rtcpPackets(hex("a0c90001 00000009")) }
        // NACK without FCI; FIR with a partial entry; PLI too short; REMB SSRC count too large.
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("81cd0002 00000001 00000002")) }
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("84ce0003 00000001 00000000 00000002")) }
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("81ce0001 00000001")) }
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("8fce0004 00000001 00000000 52454d42 02000001")) }
        // TWCC body shorter than its fixed fields.
        #expect(throws: RTCPParseError.malformed) { try rtcpPackets(hex("8fcd0003 00000001 00000002 00010001")) }
    }

    @Test func iteratorStopsAfterError() throws {
        let good = hex("80c90001 00000001")
        let bytes = good + [0x40, 0xC9, 0x00, 0x01, 0, 0, 0, 0] + good
        try bytes.withUnsafeBytes { (buffer) throws -> Void in
            var it = RTCPCompoundIterator(buffer)
            #expect(try it.next() != nil)
            #expect(throws: RTCPParseError.badVersion(1)) { _ = try it.next() }
            #expect(try it.next() == nil)
        }
        #expect(try good.withUnsafeBytes { try RTCPCompoundIterator.validate($0) } == 1)
    }
}
