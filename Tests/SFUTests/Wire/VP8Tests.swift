import Testing
@testable import SFU

func parseVP8(_ bytes: [UInt8]) throws(RTPParseError) -> VP8PayloadDescriptor {
    let result: Result<VP8PayloadDescriptor, RTPParseError> = bytes.withUnsafeBytes { buffer in
        do throws(RTPParseError) { return .success(try VP8PayloadDescriptor(parsing: buffer)) } catch { return .failure(error) }
    }
    return try result.get()
}

@Suite struct VP8Tests {
    @Test func parsesDescriptorWithAllFields() throws {
        // X S PID=0 | I L T K | M + 0x1234 | TL0PICIDX 5 | TID 2, Y, KEYIDX 3
        let d = try parseVP8([0x90, 0xF0, 0x92, 0x34, 0x05, 0b1010_0011, 0x9D])
        #expect(d.extended && d.startOfPartition && !d.nonReference)
        #expect(d.partitionID == 0)
        #expect(d.pictureID == 0x1234 && d.pictureIDIs15Bit)
        #expect(d.tl0PicIdx == 5)
        #expect(d.temporalLayerID == 2 && d.layerSync && d.keyIndex == 3)
        #expect(d.length == 6)
        #expect(d.isStartOfFrame)
    }

    @Test func parsesShortDescriptors() throws {
        let minimal = try parseVP8([0x23, 0xAA])  // N=1, PID 3, no X
        #expect(!minimal.extended && minimal.nonReference && minimal.partitionID == 3 && minimal.length == 1)
        #expect(minimal.pictureID == nil && !minimal.isStartOfFrame)
        let sevenBit = try parseVP8([0x80, 0x80, 0x7F, 0x00])
        #expect(sevenBit.pictureID == 127 && !sevenBit.pictureIDIs15Bit && sevenBit.length == 3)
        let kOnly = try parseVP8([0x80, 0x10, 0b1110_0101])  // K only: TID ignored
        #expect(kOnly.keyIndex == 5 && kOnly.temporalLayerID == nil && !kOnly.layerSync && kOnly.length == 3)
    }

    @Test func truncatedDescriptorsThrow() {
        #expect(throws: RTPParseError.truncated) { try parseVP8([]) }
        #expect(throws: RTPParseError.truncated) { try parseVP8([0x80]) }
        #expect(throws: RTPParseError.truncated) { try parseVP8([0x80, 0x80]) }
        #expect(throws: RTPParseError.truncated) { try parseVP8([0x80, 0x80, 0x80]) }
        #expect(throws: RTPParseError.truncated) { try parseVP8([0x80, 0x40]) }
        #expect(throws: RTPParseError.truncated) { try parseVP8([0x80, 0x20]) }
    }

    @Test func detectsKeyframeAndDimensions() {
        // Descriptor (X, S, I, 15-bit pid) + VP8 key frame tag + start code + 640x480 (scale 0 / 1).
        let key: [UInt8] = [0x90, 0x80, 0x80, 0x01,
                            0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x41, 0xAA]
        let info = key.withUnsafeBytes { VP8FrameInspector.inspect(rtpPayload: $0) }
        #expect(info == VP8FrameInfo(isKeyframe: true, width: 640, height: 480, horizontalScale: 0, verticalScale: 1))
        var inter = key
        inter[4] = 0x51  // P bit set: inter frame
        #expect(inter.withUnsafeBytes { VP8FrameInspector.inspect(rtpPayload: $0)?.isKeyframe } == false)
        var notStart = key
        notStart[0] = 0x80  // S = 0
        #expect(notStart.withUnsafeBytes { VP8FrameInspector.inspect(rtpPayload: $0) } == nil)
        var secondPartition = key
        secondPartition[0] = 0x91  // PID = 1
        #expect(secondPartition.withUnsafeBytes { VP8FrameInspector.isKeyframe(rtpPayload: $0) } == false)
        var badStartCode = key
        badStartCode[8] = 0x02
        let partial = badStartCode.withUnsafeBytes { VP8FrameInspector.inspect(rtpPayload: $0) }
        #expect(partial?.isKeyframe == true && partial?.width == nil)
        let shortKey: [UInt8] = [0x10, 0x00]  // no X, key frame tag byte only
        #expect(shortKey.withUnsafeBytes { VP8FrameInspector.isKeyframe(rtpPayload: $0) })
    }

    @Test func packetizesEvenlyWithinLimit() throws {
        let frame = (0..<2500).map { UInt8(truncatingIfNeeded: $0) }
        let p = try #require(VP8Packetizer(frameLength: frame.count, maxPayloadSize: 1200))
        #expect(p.packetCount == 3)
        let slices = Array(p)
        #expect(slices.map(\.frameRange) == [0..<834, 834..<1667, 1667..<2500])
        #expect(slices.map(\.isFirst) == [true, false, false])
        #expect(slices.map(\.isLast) == [false, false, true])

        var reassembled: [UInt8] = []
        for index in 0..<p.packetCount {
            let payload = try frame.withUnsafeBytes { f in
                try written { try p.writePayload(index: index, frame: f, pictureID: 0x7ABC, into: $0) }
            }
            #expect(payload.count <= 1200)
            let d = try parseVP8(payload)
            #expect(d.pictureID == 0x7ABC && d.pictureIDIs15Bit && d.partitionID == 0)
            #expect(d.startOfPartition == (index == 0))
            #expect(d.length == VP8Packetizer.descriptorLength)
            reassembled += payload[d.length...]
        }
        #expect(reassembled == frame)
    }

    @Test func packetizerEdgeCases() throws {
        #expect(VP8Packetizer(frameLength: 10, maxPayloadSize: 4) == nil)
        #expect(VP8Packetizer(frameLength: -1, maxPayloadSize: 100) == nil)
        #expect(VP8Packetizer(frameLength: 0, maxPayloadSize: 100)?.packetCount == 0)
        let exact = try #require(VP8Packetizer(frameLength: 96, maxPayloadSize: 100))
        #expect(exact.packetCount == 1)
        #expect(exact.packet(at: 0) == VP8PacketSlice(frameRange: 0..<96, isFirst: true, isLast: true))
        #expect(exact.packet(at: 1) == nil)
        let tiny = try #require(VP8Packetizer(frameLength: 3, maxPayloadSize: 5))
        #expect(Array(tiny).map(\.frameRange.count) == [1, 1, 1])
        let d = try written { try VP8Packetizer.writeDescriptor(into: $0, pictureID: 0xFFFF, start: true) }
        #expect(d == [0x90, 0x80, 0xFF, 0xFF])  // picture id is masked to 15 bits
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 4)) {
            _ = try written(capacity: 3) { try VP8Packetizer.writeDescriptor(into: $0, pictureID: 1, start: false) }
        }
    }
}
