import Testing
@testable import SFU

@Suite struct RTPRewriterTests {
    @Test func rewritesFixedFieldsInPlace() throws {
        var bytes = Fixtures.chromeOneByte + [1, 2, 3, 4]
        let rewriter = RTPRewriter(ssrc: 0xCAFE_BABE, payloadType: 100)
        let header = try bytes.withUnsafeMutableBytes { buffer in
            try rewriter.rewrite(buffer, sequenceNumber: 0xFFFF, timestamp: 0x0102_0304, marker: true)
        }
        #expect(Array(bytes[0..<12]) == [0x90, 0x80 | 100, 0xFF, 0xFF, 1, 2, 3, 4, 0xCA, 0xFE, 0xBA, 0xBE])
        #expect(Array(bytes[28...]) == [1, 2, 3, 4])
        #expect(Array(bytes[12..<28]) == Array(Fixtures.chromeOneByte[12..<28]))  // no map: untouched
        let reparsed = try parseRTP(bytes)
        #expect(reparsed == header)
        #expect(reparsed.sequenceNumber == 0xFFFF && reparsed.marker && reparsed.payloadType == 100)
    }

    @Test func remapsOneByteIDsAndPadsOutUnmapped() throws {
        var bytes = Fixtures.chromeOneByte
        var map = RTPExtensionIDMap()
        map.set(2, to: 3)   // abs-send-time
        map.set(13, to: 5)
        // id 4 unmapped -> removed
        let rewriter = RTPRewriter(ssrc: 1, payloadType: 96, extensionMap: map)
        _ = try bytes.withUnsafeMutableBytes { try rewriter.rewrite($0, sequenceNumber: 1, timestamp: 1, marker: false) }
        #expect(Array(bytes[16..<28]) == [0x32, 0xF3, 0x43, 0x50, 0, 0, 0, 0x52, 0x81, 0x00, 0x45, 0x00])
        let list = try extensionList(bytes)
        #expect(list.map(\.0) == [3, 5])
        #expect(list.map(\.1) == [[0xF3, 0x43, 0x50], [0x81, 0x00, 0x45]])
    }

    @Test func remapsTwoByteIDs() throws {
        var bytes = Fixtures.chromeTwoByte
        var map = RTPExtensionIDMap.identity
        map.set(2, to: 12)
        map.set(9, to: nil)
        let header = try parseRTP(bytes)
        let dropped = bytes.withUnsafeMutableBytes {
            RTPRewriter.remapExtensionIDs(in: $0, header: header, map: map)
        }
        #expect(dropped == 1)  // only id 9
        let list = try extensionList(bytes)
        #expect(list.map(\.0) == [12, 4, 3, 6, 7, 13])
        #expect(list.last?.1.count == 33)
        // The removed element (id 9, len 1, 1 data byte) became three padding bytes.
        #expect(Array(bytes[25..<28]) == [0, 0, 0])
        #expect(list.first?.1 == [0x03, 0xF7, 0xAE])
    }

    @Test func extensionIDMapBounds() {
        var map = RTPExtensionIDMap()
        #expect(map[1] == nil)
        let r1 = map.set(1, to: 14); #expect(r1)
        let r2 = map.set(14, to: 1); #expect(r2)
        let r3 = map.set(8, to: 9); #expect(r3)
        #expect(map[1] == 14 && map[14] == 1 && map[8] == 9)
        let r4 = map.set(0, to: 1); #expect(!r4)
        let r5 = map.set(15, to: 1); #expect(!r5)
        let r6 = map.set(3, to: 15); #expect(!r6)
        #expect(map[15] == nil && map[0] == nil && map[200] == nil)
        let r7 = map.set(1, to: nil); #expect(r7)
        #expect(map[1] == nil)
        #expect(RTPExtensionIDMap.identity[7] == 7)
    }

    @Test func staticSettersRefuseShortBuffers() throws {
        var short = [UInt8](repeating: 0, count: 11)
        short.withUnsafeMutableBytes { b in
            #expect(!RTPRewriter.setSSRC(1, in: b))
            #expect(!RTPRewriter.setTimestamp(1, in: b))
            #expect(!RTPRewriter.setSequenceNumber(1, in: b))
            #expect(!RTPRewriter.setPayloadType(1, marker: true, in: b))
        }
        #expect(short.allSatisfy { $0 == 0 })
        var bad = [UInt8](repeating: 0, count: 20)
        #expect(throws: RTPParseError.badVersion(0)) {
            try bad.withUnsafeMutableBytes { try RTPRewriter(ssrc: 1, payloadType: 1).rewrite($0, sequenceNumber: 1, timestamp: 1, marker: false) }
        }
    }
}
