import Testing
@testable import SFU

/// Valid seed packets produced by the writers (also the on-disk seed corpus).
enum Seeds {
    static func rtp() throws -> [(name: String, bytes: [UInt8])] {
        var all = RTPHeaderWriter(payloadType: 96, marker: true, sequenceNumber: 65535, timestamp: 3_000_000_000, ssrc: 0x1234_5678)
        all.midID = 1
        all.mid = "video0"
        all.absSendTimeID = 2
        all.absSendTime = RTPAbsSendTime.encode(nanoseconds: 12_345_678_901)
        all.transportCCID = 3
        all.transportSequenceNumber = 4242
        all.playoutDelayID = 4
        let allHeader = try written { try all.write(into: $0) }

        let frame: [UInt8] = [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01] + [UInt8](repeating: 0x5A, count: 40)
        let vp8Payload = try frame.withUnsafeBytes { f in
            try written { try VP8Packetizer(frameLength: f.count, maxPayloadSize: 1200)!.writePayload(index: 0, frame: f, pictureID: 4321, into: $0) }
        }
        let plain = try written { try RTPHeaderWriter(payloadType: 111, sequenceNumber: 1, timestamp: 960, ssrc: 7).write(into: $0) }
        let packet = allHeader + vp8Payload
        let rtx = try packet.withUnsafeBytes { p in
            let h = try RTPHeader(parsing: p)
            return try written { try RTXPayload.writePacket(original: p, header: h, rtxSSRC: 99, rtxPayloadType: 97, rtxSequenceNumber: 17, into: $0) }
        }
        let padded: [UInt8] = [0xA2, 0x60, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0xFF, 0xEE, 0, 0, 3]
        return [
            ("vp8-keyframe-all-extensions.bin", packet),
            ("opus-plain.bin", plain + [0xFC, 0xFF, 0xFE]),
            ("rtx-of-vp8.bin", rtx),
            ("chrome-one-byte-ext.bin", Fixtures.chromeOneByte),
            ("chrome-two-byte-ext.bin", Fixtures.chromeTwoByte),
            ("csrc-padding.bin", padded),
            ("vp8-interframe-tid.bin", allHeader + [0x90, 0xE0, 0x90, 0xE1, 0x07, 0x60, 0x51, 0x00, 0x00, 0x11, 0x22]),
        ]
    }

    static func rtcp() throws -> [(name: String, bytes: [UInt8])] {
        let block = RTCPReportBlock(ssrc: 0xDD58_6EB6, fractionLost: 12, cumulativeLost: -3, highestSequenceNumber: 0x1_0010,
                                    jitter: 40, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 0x8000)
        let sr = try written {
            try RTCPWriter.senderReport(ssrc: 0x1234_5678, ntpTimestamp: 0xE8F0_0000_8000_0000, rtpTimestamp: 90000,
                                        packetCount: 100, octetCount: 100_000, reportBlocks: [block], into: $0)
        }
        let sdes = hex("81ca0006 12345678 01104142 43444546 47484950 51525354 55560000")
        let nack = try written { try RTCPWriter.genericNack(senderSSRC: 1, mediaSSRC: 0x1234_5678, lostSequenceNumbers: [10, 12, 30, 65535, 3], into: $0) }
        let pliFir = try written { b in
            let n = try RTCPWriter.pictureLossIndication(senderSSRC: 1, mediaSSRC: 0x1234_5678, into: b)
            return n + (try RTCPWriter.fullIntraRequest(senderSSRC: 1, entries: [RTCPFIREntry(ssrc: 0x1234_5678, sequenceNumber: 1)], into: b, at: n))
        }
        let bye = try written { try RTCPWriter.bye(ssrcs: [0x1234_5678, 0x9ABC_DEF0], reason: "shutdown", into: $0) }
        let twccVectors = hex("afcd0009 00000001 00000002 00640015 ffffff07 9f1c d820 0102030405060708 ff 8000 7fff 000003")
        return [
            ("chrome-rr-remb.bin", Fixtures.chromeRRREMB),
            ("chrome-twcc.bin", Fixtures.chromeTWCC),
            ("twcc-status-vectors.bin", twccVectors),
            ("libwebrtc-remb.bin", Fixtures.webrtcREMB),
            ("sr-sdes.bin", sr + sdes),
            ("nack.bin", nack),
            ("pli-fir.bin", pliFir),
            ("bye-reason.bin", bye),
        ]
    }
}

@Suite struct FuzzTests {
    static func randomInput(_ rng: inout SplitMix64, headerBias: (inout SplitMix64, inout [UInt8]) -> Void) -> [UInt8] {
        var bytes = rng.bytes(Int(rng.next() % 1501))
        if rng.next() % 2 == 0 { headerBias(&rng, &bytes) }
        return bytes
    }

    @Test func rtpRandomInputsNeverTrap() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        var parsed = 0
        for _ in 0..<20_000 {
            let bytes = Self.randomInput(&rng) { rng, b in
                guard !b.isEmpty else { return }
                b[0] = 0x80 | (b[0] & 0x3F)  // version 2
                if b.count > 14, rng.next() % 2 == 0 { b[12] = 0xBE; b[13] = 0xDE; b[0] = (b[0] & 0xE0) | 0x10 }
            }
            bytes.withUnsafeBytes { RTPFuzzEntry.run($0) }
            if (try? parseRTP(bytes)) != nil { parsed += 1 }
        }
        #expect(parsed > 1000)  // the bias makes a good share reach the deeper parsers
    }

    @Test func rtcpRandomInputsNeverTrap() {
        var rng = SplitMix64(seed: 0x5EED_0002)
        var valid = 0
        for _ in 0..<20_000 {
            let bytes = Self.randomInput(&rng) { rng, b in
                guard b.count >= 4 else { return }
                b[0] = 0x80 | (b[0] & 0x3F)
                b[1] = 200 + UInt8(rng.next() % 7)
                let words = b.count / 4 - 1
                let len = rng.next() % 2 == 0 ? words : Int(rng.next() % UInt64(words + 1))
                b[2] = UInt8(truncatingIfNeeded: len >> 8)
                b[3] = UInt8(truncatingIfNeeded: len)
            }
            bytes.withUnsafeBytes { RTCPFuzzEntry.run($0) }
            if (try? rtcpPackets(bytes)) != nil { valid += 1 }
        }
        #expect(valid > 100)
    }

    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = seed
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            switch rng.next() % 5 {
            case 0 where !b.isEmpty:  // flip a bit
                let i = Int(rng.next() % UInt64(b.count))
                b[i] ^= 1 << UInt8(rng.next() % 8)
            case 1 where !b.isEmpty:  // set an interesting byte
                let i = Int(rng.next() % UInt64(b.count))
                b[i] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x0F, 0xF0][Int(rng.next() % 7)]
            case 2:  // truncate
                b = Array(b.prefix(Int(rng.next() % UInt64(b.count + 1))))
            case 3:  // append garbage
                b += rng.bytes(Int(rng.next() % 16))
            default:  // duplicate (compound-like)
                b += b.prefix(Int(rng.next() % UInt64(b.count + 1)))
            }
        }
        return b
    }

    @Test func rtpMutationsNeverTrap() throws {
        let seeds = try Seeds.rtp()
        var rng = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<10_000 {
            let seed = seeds[Int(rng.next() % UInt64(seeds.count))].bytes
            Self.mutate(seed, &rng).withUnsafeBytes { RTPFuzzEntry.run($0) }
        }
    }

    @Test func rtcpMutationsNeverTrap() throws {
        let seeds = try Seeds.rtcp()
        var rng = SplitMix64(seed: 0x5EED_0004)
        for _ in 0..<10_000 {
            let seed = seeds[Int(rng.next() % UInt64(seeds.count))].bytes
            Self.mutate(seed, &rng).withUnsafeBytes { RTCPFuzzEntry.run($0) }
        }
    }

    @Test func seedsAreValid() throws {
        for (name, bytes) in try Seeds.rtp() {
            #expect((try? parseRTP(bytes)) != nil, "\(name)")
        }
        for (name, bytes) in try Seeds.rtcp() {
            let packets = try rtcpPackets(bytes)
            #expect(!packets.isEmpty, "\(name)")
            for case .transportWideCC(let twcc) in packets {
                #expect(try twccStatuses(bytes, twcc).count == Int(twcc.packetStatusCount), "\(name)")
            }
        }
    }
}
