import Testing
@testable import SFU

@Suite struct RTCPWriterTests {
    static let blocks = [
        RTCPReportBlock(ssrc: 0xAAAA_0001, fractionLost: 25, cumulativeLost: -5, highestSequenceNumber: 0x0001_0005,
                        jitter: 77, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536),
        RTCPReportBlock(ssrc: 0xAAAA_0002, fractionLost: 0, cumulativeLost: 0x7F_FFFF, highestSequenceNumber: 9,
                        jitter: 0, lastSenderReport: 0, delaySinceLastSenderReport: 0),
    ]

    @Test func senderReportRoundTrip() throws {
        let bytes = try written {
            try RTCPWriter.senderReport(
                ssrc: 0x0102_0304, ntpTimestamp: 0xE8F0_1234_5678_9ABC, rtpTimestamp: 90000, packetCount: 10,
                octetCount: 12000, reportBlocks: Self.blocks, into: $0)
        }
        #expect(bytes.count == 28 + 48)
        #expect(Array(bytes[0..<4]) == [0x82, 200, 0x00, 0x12])
        guard case .senderReport(let sr) = try rtcpSingle(bytes) else { Issue.record("not SR"); return }
        #expect(sr.ssrc == 0x0102_0304)
        #expect(sr.ntpTimestamp == 0xE8F0_1234_5678_9ABC)
        #expect(sr.compactNTP == 0x1234_5678)
        #expect(sr.rtpTimestamp == 90000 && sr.packetCount == 10 && sr.octetCount == 12000)
        #expect(bytes.withUnsafeBytes { Array(sr.reportBlocks(in: $0)) } == Self.blocks)
    }

    @Test func receiverReportRoundTripAndClamping() throws {
        var clamped = Self.blocks[0]
        clamped.cumulativeLost = -10_000_000  // below the 24-bit range
        let bytes = try written {
            try RTCPWriter.receiverReport(ssrc: 7, reportBlocks: [clamped, Self.blocks[1]], into: $0)
        }
        #expect(Array(bytes[0..<8]) == [0x82, 201, 0x00, 0x0D, 0, 0, 0, 7])
        #expect(Array(bytes[13..<16]) == [0x80, 0x00, 0x00])
        guard case .receiverReport(let rr) = try rtcpSingle(bytes) else { Issue.record("not RR"); return }
        let parsed = bytes.withUnsafeBytes { Array(rr.reportBlocks(in: $0)) }
        #expect(parsed[0].cumulativeLost == -0x80_0000)
        #expect(parsed[1] == Self.blocks[1])
        let empty = try written { try RTCPWriter.receiverReport(ssrc: 7, reportBlocks: [], into: $0) }
        #expect(empty == [0x80, 201, 0, 1, 0, 0, 0, 7])
    }

    @Test func pliExactBytes() throws {
        let bytes = try written { try RTCPWriter.pictureLossIndication(senderSSRC: 1, mediaSSRC: 0xDEAD_BEEF, into: $0) }
        #expect(bytes == [0x81, 206, 0, 2, 0, 0, 0, 1, 0xDE, 0xAD, 0xBE, 0xEF])
        guard case .pictureLossIndication(let pli) = try rtcpSingle(bytes) else { Issue.record("not PLI"); return }
        #expect(pli.senderSSRC == 1 && pli.mediaSSRC == 0xDEAD_BEEF)
    }

    @Test func firRoundTrip() throws {
        let entries = [RTCPFIREntry(ssrc: 0x1111_1111, sequenceNumber: 3), RTCPFIREntry(ssrc: 0x2222_2222, sequenceNumber: 255)]
        let bytes = try written { try RTCPWriter.fullIntraRequest(senderSSRC: 9, entries: entries, into: $0) }
        #expect(Array(bytes[0..<4]) == [0x84, 206, 0, 6])  // 28 bytes
        #expect(Array(bytes[12..<20]) == [0x11, 0x11, 0x11, 0x11, 3, 0, 0, 0])
        guard case .fullIntraRequest(let fir) = try rtcpSingle(bytes) else { Issue.record("not FIR"); return }
        #expect(fir.senderSSRC == 9 && fir.mediaSSRC == 0)
        #expect(bytes.withUnsafeBytes { Array(fir.entries(in: $0)) } == entries)
        #expect(throws: RTPWriteError.invalidValue) {
            _ = try written { try RTCPWriter.fullIntraRequest(senderSSRC: 9, entries: [RTCPFIREntry](), into: $0) }
        }
    }

    @Test func nackPacksPIDAndBLP() throws {
        let lost: [UInt16] = [100, 101, 116, 117, 200, 65535, 0, 15]
        let bytes = try written {
            try RTCPWriter.genericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: lost, into: $0)
        }
        // (100: 101 -> bit0, 116 -> bit15), (117), (200), (65535: 0 -> bit0, 15 -> bit15)
        #expect(Array(bytes[12...]) == [0x00, 0x64, 0x80, 0x01,
                                        0x00, 0x75, 0x00, 0x00,
                                        0x00, 0xC8, 0x00, 0x00,
                                        0xFF, 0xFF, 0x80, 0x01])
        #expect(Array(bytes[0..<4]) == [0x81, 205, 0, 6])
        guard case .nack(let nack) = try rtcpSingle(bytes) else { Issue.record("not NACK"); return }
        #expect(bytes.withUnsafeBytes { Array(nack.lostSequenceNumbers(in: $0)) } == lost)
    }

    @Test func nackRoundTripForManyLosses() throws {
        var lost: [UInt16] = []
        var seq: UInt16 = 65000
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300 {
            seq &+= UInt16(1 + rng.next() % 20)
            lost.append(seq)
        }
        let bytes = try written(capacity: 4000) {
            try RTCPWriter.genericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: lost, into: $0)
        }
        guard case .nack(let nack) = try rtcpSingle(bytes) else { Issue.record("not NACK"); return }
        #expect(bytes.withUnsafeBytes { Array(nack.lostSequenceNumbers(in: $0)) } == lost)
        #expect(throws: RTPWriteError.invalidValue) {
            _ = try written { try RTCPWriter.genericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [UInt16](), into: $0) }
        }
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 4)) {
            _ = try written(capacity: 20) {
                try RTCPWriter.genericNack(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [1, 100, 200], into: $0)
            }
        }
    }

    @Test func rembMatchesLibwebrtcVector() throws {
        let bytes = try written {
            try RTCPWriter.remb(senderSSRC: 0x1234_5678, bitrate: 522_022,
                                ssrcs: [0x2345_6789, 0x2345_678A, 0x2345_678B], into: $0)
        }
        #expect(bytes == Fixtures.webrtcREMB)
        let big = try written { try RTCPWriter.remb(senderSSRC: 1, bitrate: 10_000_000_000, ssrcs: [5], into: $0) }
        guard case .remb(let remb) = try rtcpSingle(big) else { Issue.record("not REMB"); return }
        #expect(remb.bitrate <= 10_000_000_000 && remb.bitrate > 10_000_000_000 - (1 << 16))
    }

    @Test func byeRoundTripWithPaddedReason() throws {
        let bytes = try written { try RTCPWriter.bye(ssrcs: [0xABCD_0001], reason: "gone", into: $0) }
        // 4 + 4 + 1 + 4 = 13 -> 16 bytes
        #expect(bytes == [0x81, 203, 0, 3, 0xAB, 0xCD, 0, 1, 4, 0x67, 0x6F, 0x6E, 0x65, 0, 0, 0])
        guard case .bye(let bye) = try rtcpSingle(bytes) else { Issue.record("not BYE"); return }
        #expect(bytes.withUnsafeBytes { Array(bye.ssrcs(in: $0)) } == [0xABCD_0001])
        #expect(Array(bytes[bye.reasonRange!]) == Array("gone".utf8))
        let plain = try written { try RTCPWriter.bye(ssrcs: [1, 2], into: $0) }
        #expect(plain == [0x82, 203, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2])
    }

    @Test func compoundBuiltWithOffsetsParses() throws {
        let bytes = try written { buffer in
            var n = try RTCPWriter.receiverReport(ssrc: 1, reportBlocks: [Self.blocks[0]], into: buffer)
            n += try RTCPWriter.remb(senderSSRC: 1, bitrate: 1_500_000, ssrcs: [0xDD58_6EB6], into: buffer, at: n)
            n += try RTCPWriter.pictureLossIndication(senderSSRC: 1, mediaSSRC: 3, into: buffer, at: n)
            n += try RTCPWriter.genericNack(senderSSRC: 1, mediaSSRC: 3, lostSequenceNumbers: [5], into: buffer, at: n)
            return n
        }
        let packets = try rtcpPackets(bytes)
        #expect(packets.count == 4)
        #expect(packets.map(\.header.offset) == [0, 32, 56, 68])
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 12)) {
            _ = try written(capacity: 20) { try RTCPWriter.pictureLossIndication(senderSSRC: 1, mediaSSRC: 2, into: $0, at: 10) }
        }
        #expect(throws: RTPWriteError.invalidValue) {
            _ = try written(capacity: 20) { try RTCPWriter.pictureLossIndication(senderSSRC: 1, mediaSSRC: 2, into: $0, at: 21) }
        }
    }
}
