import Testing
@testable import SFU

@Suite struct RTPHeaderWriterTests {
    @Test func writesFixedHeaderBytes() throws {
        let w = RTPHeaderWriter(payloadType: 111, marker: true, sequenceNumber: 0x1234, timestamp: 0xDEAD_BEEF, ssrc: 0x0102_0304)
        let bytes = try written { try w.write(into: $0) }
        #expect(bytes == [0x80, 0x80 | 111, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4])
        #expect(try w.headerLength() == 12)
    }

    @Test func writesAllExtensionsAndParsesBack() throws {
        var w = RTPHeaderWriter(payloadType: 96, sequenceNumber: 7, timestamp: 90000, ssrc: 42)
        w.midID = 1
        w.mid = "0"
        w.absSendTimeID = 2
        w.absSendTime = 0x06_0000
        w.transportCCID = 3
        w.transportSequenceNumber = 0xABCD
        w.playoutDelayID = 4
        let bytes = try written { try w.write(into: $0) }
        // 2 (mid) + 4 (abs) + 3 (twcc) + 4 (playout) = 13 -> padded to 16 bytes = 4 words.
        #expect(bytes.count == 12 + 4 + 16)
        #expect(Array(bytes[12..<16]) == [0xBE, 0xDE, 0x00, 0x04])
        #expect(Array(bytes[16...]) == [0x10, 0x30,
                                        0x22, 0x06, 0x00, 0x00,
                                        0x31, 0xAB, 0xCD,
                                        0x42, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00])
        let h = try parseRTP(bytes)
        #expect(h.sequenceNumber == 7 && h.timestamp == 90000 && h.ssrc == 42 && h.payloadType == 96)
        let list = try extensionList(bytes)
        #expect(list.map(\.0) == [1, 2, 3, 4])
        #expect(list[0].1 == Array("0".utf8))
        bytes.withUnsafeBytes { buffer in
            let range = h.extensionValue(id: 2, in: buffer)!
            #expect(RTPAbsSendTime.read(buffer, valueRange: range) == 0x06_0000)
        }
    }

    @Test func playoutDelayEncoding() throws {
        var w = RTPHeaderWriter(payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        w.playoutDelayID = 6
        w.playoutDelayMin = 10    // 100 ms
        w.playoutDelayMax = 0xABC
        let bytes = try written { try w.write(into: $0) }
        #expect(Array(bytes[16..<20]) == [0x62, 0x00, 0xAA, 0xBC])
    }

    @Test func rejectsInvalidValuesAndSmallBuffers() {
        var w = RTPHeaderWriter(payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        w.midID = 15
        w.mid = "a"
        #expect(throws: RTPWriteError.invalidValue) { _ = try written { try w.write(into: $0) } }
        w.midID = 1
        w.mid = String(repeating: "x", count: 17)
        #expect(throws: RTPWriteError.invalidValue) { _ = try written { try w.write(into: $0) } }
        w.mid = ""
        #expect(throws: RTPWriteError.invalidValue) { _ = try written { try w.write(into: $0) } }
        w.mid = "video"
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 24)) { _ = try written(capacity: 20) { try w.write(into: $0) } }
        var pt = RTPHeaderWriter(payloadType: 200, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        #expect(throws: RTPWriteError.invalidValue) { _ = try written { try pt.write(into: $0) } }
        pt.payloadType = 0
        pt.playoutDelayID = 2
        pt.playoutDelayMax = 0x1000
        #expect(throws: RTPWriteError.invalidValue) { _ = try written { try pt.write(into: $0) } }
    }

    @Test func absSendTimeFixedPoint() {
        #expect(RTPAbsSendTime.encode(nanoseconds: 0) == 0)
        #expect(RTPAbsSendTime.encode(nanoseconds: 1_500_000_000) == 0x06_0000)
        #expect(RTPAbsSendTime.encode(nanoseconds: 64_000_000_000) == 0)  // wraps every 64 s
        #expect(RTPAbsSendTime.encode(nanoseconds: 65_500_000_000) == 0x06_0000)
        #expect(RTPAbsSendTime.encode(nanoseconds: 63_999_999_999) == 0xFF_FFFF)
        // Huge clock values must not overflow.
        _ = RTPAbsSendTime.encode(nanoseconds: .max)
        #expect(RTPAbsSendTime.nanoseconds(from: 0x06_0000) == 1_500_000_000)
        let oneTick = RTPAbsSendTime.nanoseconds(from: 1)
        #expect(oneTick == 3814)  // 1/2^18 s
    }
}
