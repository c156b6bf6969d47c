import Testing
@testable import SFU

@Suite struct RTPHeaderTests {
    @Test func parsesChromeOneBytePacket() throws {
        let bytes = Fixtures.chromeOneByte
        let h = try parseRTP(bytes)
        #expect(h.payloadType == 45)
        #expect(h.marker == false)
        #expect(h.sequenceNumber == 6751)
        #expect(h.timestamp == 3_557_360_969)
        #expect(h.ssrc == 0xF7B1_6E83)
        #expect(h.csrcCount == 0)
        #expect(h.hasExtension)
        #expect(h.extensionProfile == 0xBEDE)
        #expect(h.extensionForm == .oneByte)
        #expect(h.extensionOffset == 16)
        #expect(h.extensionLength == 12)
        #expect(h.payloadOffset == 28)
        #expect(h.payloadLength == 0)
        let list = try extensionList(bytes)
        #expect(list.map(\.0) == [2, 4, 13])
        #expect(list.map(\.1) == [[0xF3, 0x43, 0x50], [0x00, 0x9B], [0x81, 0x00, 0x45]])
    }

    @Test func parsesChromeTwoBytePacket() throws {
        let bytes = Fixtures.chromeTwoByte
        let h = try parseRTP(bytes)
        #expect(h.sequenceNumber == 25029)
        #expect(h.timestamp == 2_500_464_622)
        #expect(h.ssrc == 0x8D38_14E5)
        #expect(h.extensionForm == .twoByte)
        #expect(h.extensionLength == 68)
        #expect(h.payloadOffset == bytes.count)
        let list = try extensionList(bytes)
        #expect(list.map(\.0) == [2, 4, 9, 3, 6, 7, 13])
        #expect(list.map { $0.1.count } == [3, 2, 1, 1, 1, 13, 33])
        #expect(list[0].1 == [0x03, 0xF7, 0xAE])
        #expect(list[6].1.first == 0xC0 && list[6].1.last == 0xF0)
    }

    @Test func extensionValueLookup() throws {
        let bytes = Fixtures.chromeOneByte
        let h = try parseRTP(bytes)
        bytes.withUnsafeBytes { buffer in
            #expect(h.extensionValue(id: 4, in: buffer) == 21..<23)
            #expect(h.extensionValue(id: 13, in: buffer) == 24..<27)
            #expect(h.extensionValue(id: 5, in: buffer) == nil)
        }
    }

    @Test func csrcsAndPayloadOffsets() throws {
        let bytes: [UInt8] = [0x82, 0xE0, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3,
                              0xAA, 0xBB, 0xCC, 0xDD, 0x11, 0x22, 0x33, 0x44, 9, 8, 7]
        let h = try parseRTP(bytes)
        #expect(h.csrcCount == 2)
        #expect(h.marker)
        #expect(h.payloadType == 96)
        #expect(h.payloadOffset == 20)
        #expect(h.payloadRange == 20..<23)
        bytes.withUnsafeBytes { buffer in
            #expect(h.csrc(at: 0, in: buffer) == 0xAABB_CCDD)
            #expect(h.csrc(at: 1, in: buffer) == 0x1122_3344)
            #expect(h.csrc(at: 2, in: buffer) == nil)
            #expect(h.csrc(at: -1, in: buffer) == nil)
        }
    }

    @Test func paddingIsValidated() throws {
        var bytes: [UInt8] = [0xA0, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 0, 0, 3]
        let h = try parseRTP(bytes)
        #expect(h.padding)
        #expect(h.paddingLength == 3)
        #expect(h.payloadLength == 3)
        bytes[bytes.count - 1] = 0
        #expect(throws: RTPParseError.invalidPadding) { try parseRTP(bytes) }
        bytes[bytes.count - 1] = 7
        #expect(throws: RTPParseError.invalidPadding) { try parseRTP(bytes) }
        bytes[bytes.count - 1] = 6  // all of the body is padding: allowed
        #expect(try parseRTP(bytes).payloadLength == 0)
        // P set but no byte after the header.
        #expect(throws: RTPParseError.invalidPadding) {
            try parseRTP([0xA0, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        }
    }

    @Test func rejectsBadVersionAndTruncation() {
        #expect(throws: RTPParseError.badVersion(1)) {
            try parseRTP([0x40, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        }
        #expect(throws: RTPParseError.truncated) { try parseRTP([]) }
        #expect(throws: RTPParseError.truncated) { try parseRTP([0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0]) }
        // CC = 1 but no CSRC.
        #expect(throws: RTPParseError.truncated) { try parseRTP([0x81, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]) }
        // X set, extension header cut.
        #expect(throws: RTPParseError.truncated) { try parseRTP([0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE]) }
        // Extension length claims 2 words, only 1 present.
        #expect(throws: RTPParseError.truncated) {
            try parseRTP([0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 0x10, 0, 0, 0])
        }
    }

    @Test func oneByteIterationSkipsPaddingAndStopsAtID15() throws {
        // padding, id1 len1, padding, id15 (stop), id2 (ignored)
        let bytes: [UInt8] = [0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2,
                              0x00, 0x10, 0xAB, 0x00, 0xF0, 0x20, 0x55, 0x00]
        let list = try extensionList(bytes)
        #expect(list.count == 1)
        #expect(list[0].0 == 1 && list[0].1 == [0xAB])
    }

    @Test func overrunningElementMarksMalformed() throws {
        // id 1 claims 4 bytes of data but only 3 remain in the block.
        let bytes: [UInt8] = [0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1,
                              0x13, 1, 2, 3]
        let h = try parseRTP(bytes)
        bytes.withUnsafeBytes { buffer in
            var it = h.extensions(in: buffer)
            #expect(it.next() == nil)
            #expect(it.isMalformed)
        }
    }

    @Test func unknownProfileYieldsNoElements() throws {
        let bytes: [UInt8] = [0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x12, 0x34, 0, 1,
                              0x10, 0xAA, 0, 0, 0x77]
        let h = try parseRTP(bytes)
        #expect(h.extensionForm == nil)
        #expect(h.payloadOffset == 20)
        #expect(try extensionList(bytes).isEmpty)
    }
}
