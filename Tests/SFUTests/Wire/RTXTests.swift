import Testing
@testable import SFU

@Suite struct RTXTests {
    @Test func payloadRoundTrip() throws {
        let original: [UInt8] = [9, 8, 7, 6, 5]
        let rtx = try original.withUnsafeBytes { o in
            try written { try RTXPayload.write(originalSequenceNumber: 0xBEEF, originalPayload: o, into: $0) }
        }
        #expect(rtx == [0xBE, 0xEF, 9, 8, 7, 6, 5])
        let parsed = try rtx.withUnsafeBytes { try RTXPayload(parsing: $0) }
        #expect(parsed.originalSequenceNumber == 0xBEEF)
        #expect(Array(rtx[parsed.originalPayloadRange]) == original)
        #expect(throws: RTPParseError.truncated) { try [UInt8]([1]).withUnsafeBytes { try RTXPayload(parsing: $0) } }
    }

    @Test func buildsFullRTXPacketDroppingPadding() throws {
        // Original: P=1, X=1 one-byte ext (mid), marker, PT 96, seq 1000, payload 4 bytes, 2 bytes padding.
        let original: [UInt8] = [0xB0, 0xE0, 0x03, 0xE8, 0, 0, 0x10, 0, 0, 0, 0, 0x11,
                                 0xBE, 0xDE, 0, 1, 0x10, 0x30, 0, 0,
                                 0xA1, 0xA2, 0xA3, 0xA4, 0x00, 0x02]
        let header = try parseRTP(original)
        #expect(header.payloadLength == 4 && header.paddingLength == 2)
        let rtx = try original.withUnsafeBytes { o in
            try written {
                try RTXPayload.writePacket(original: o, header: header, rtxSSRC: 0x22, rtxPayloadType: 97,
                                           rtxSequenceNumber: 5, into: $0)
            }
        }
        let rtxHeader = try parseRTP(rtx)
        #expect(!rtxHeader.padding && rtxHeader.marker)
        #expect(rtxHeader.payloadType == 97 && rtxHeader.sequenceNumber == 5 && rtxHeader.ssrc == 0x22)
        #expect(rtxHeader.timestamp == header.timestamp)
        #expect(try extensionList(rtx).map(\.0) == [1])
        let payload = Array(rtx[rtxHeader.payloadRange])
        let parsed = try payload.withUnsafeBytes { try RTXPayload(parsing: $0) }
        #expect(parsed.originalSequenceNumber == 1000)
        #expect(Array(payload[parsed.originalPayloadRange]) == [0xA1, 0xA2, 0xA3, 0xA4])
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 26)) {
            _ = try original.withUnsafeBytes { o in
                try written(capacity: 10) {
                    try RTXPayload.writePacket(original: o, header: header, rtxSSRC: 1, rtxPayloadType: 97,
                                               rtxSequenceNumber: 5, into: $0)
                }
            }
        }
    }
}
