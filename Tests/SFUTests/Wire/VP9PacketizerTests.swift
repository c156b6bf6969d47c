import Testing

@testable import SFU

@Suite struct VP9PacketizerTests {
    /// A profile 0 key frame header (frame marker, profile 0, shown, sync code, colour space 0,
    /// studio range) of a 1920×1080 picture, then filler.
    static let keyframe1080: [UInt8] = [0x82, 0x49, 0x83, 0x42, 0x00, 0x77, 0xF0, 0x43, 0x70] + [UInt8](repeating: 0xA5, count: 2991)

    @Test func readsTheKeyframeSizeAndRefusesOtherHeaders() {
        #expect(Self.keyframe1080.withUnsafeBytes { VP9KeyframeSize(frame: $0) } == VP9KeyframeSize(width: 1920, height: 1080))
        var inter = Self.keyframe1080
        inter[0] = 0x86  // frame_type 1: an inter frame has no size here
        #expect(inter.withUnsafeBytes { VP9KeyframeSize(frame: $0) } == nil)
        var badSync = Self.keyframe1080
        badSync[2] = 0x84
        #expect(badSync.withUnsafeBytes { VP9KeyframeSize(frame: $0) } == nil)
        #expect(Array(Self.keyframe1080.prefix(7)).withUnsafeBytes { VP9KeyframeSize(frame: $0) } == nil)  // cut short
        #expect([UInt8]().withUnsafeBytes { VP9KeyframeSize(frame: $0) } == nil)
        // Profile 1 (4:4:4) adds subsampling bits and a reserved bit before the size: 640×480.
        // 10 1 0 0 0 1 0 | sync | cs 000, range 0, ss_x 0, ss_y 0, reserved 0 | 639 | 479
        let profile1: [UInt8] = [0xA2, 0x49, 0x83, 0x42, 0x00, 0x04, 0xFE, 0x03, 0xBE]
        #expect(profile1.withUnsafeBytes { VP9KeyframeSize(frame: $0) } == VP9KeyframeSize(width: 640, height: 480))
    }

    @Test func keyframeCarriesTheScalabilityStructureOnItsFirstPacketOnly() throws {
        let frame = Self.keyframe1080
        let size = frame.withUnsafeBytes { VP9KeyframeSize(frame: $0) }
        let p = try #require(VP9Packetizer(frameLength: frame.count, maxPayloadSize: 1200, keyframe: true, size: size))
        #expect(p.packetCount == 3)
        var reassembled: [UInt8] = []
        for (index, slice) in p.enumerated() {
            let payload = try frame.withUnsafeBytes { f in
                try written { out in
                    let n = try p.writeDescriptor(into: out, pictureID: 0x7ABC, slice: slice)
                    UnsafeMutableRawBufferPointer(rebasing: out[n...]).copyMemory(from: UnsafeRawBufferPointer(rebasing: f[slice.frameRange]))
                    return n + slice.frameRange.count
                }
            }
            #expect(payload.count <= 1200)
            let b: UInt8 = index == 0 ? 0x08 : 0, e: UInt8 = index == 2 ? 0x04 : 0, v: UInt8 = index == 0 ? 0x02 : 0
            #expect(payload[0] == 0x80 | b | e | v, "packet \(index): I, P clear on a key frame, B/E/V")
            #expect(Array(payload[1...2]) == [0xFA, 0xBC], "M + 15-bit PictureID")
            let descriptor = p.descriptorLength(of: slice)
            if index == 0 {
                #expect(descriptor == 8)
                #expect(Array(payload[3..<8]) == [0x10, 0x07, 0x80, 0x04, 0x38], "N_S 0, Y, 1920, 1080")
                #expect(payload.withUnsafeBytes { VP9FrameInspector.isKeyframeStart(rtpPayload: $0) })
            } else {
                #expect(descriptor == 3)
                #expect(!payload.withUnsafeBytes { VP9FrameInspector.isKeyframeStart(rtpPayload: $0) })
            }
            reassembled += payload[descriptor...]
        }
        #expect(reassembled == frame)
    }

    @Test func interFramesAreMarkedPredictedWithoutStructure() throws {
        let p = try #require(VP9Packetizer(frameLength: 100, maxPayloadSize: 1200, keyframe: false, size: VP9KeyframeSize(width: 8, height: 8)))
        #expect(p.size == nil, "the structure goes with key frames only")
        let slice = try #require(p.packet(at: 0))
        let d = try written { try p.writeDescriptor(into: $0, pictureID: 0xFFFF, slice: slice) }
        #expect(d == [0x80 | 0x40 | 0x08 | 0x04, 0xFF, 0xFF], "I, P, B, E; PictureID masked to 15 bits")
        #expect(!d.withUnsafeBytes { VP9FrameInspector.isKeyframeStart(rtpPayload: $0) })
    }

    @Test func edgeCases() throws {
        #expect(VP9Packetizer(frameLength: 10, maxPayloadSize: 3, keyframe: false) == nil)
        #expect(VP9Packetizer(frameLength: 10, maxPayloadSize: 8, keyframe: true, size: VP9KeyframeSize(width: 1, height: 1)) == nil)
        #expect(VP9Packetizer(frameLength: 10, maxPayloadSize: 100, keyframe: true, size: VP9KeyframeSize(width: 70_000, height: 1)) == nil)
        #expect(VP9Packetizer(frameLength: 0, maxPayloadSize: 100, keyframe: false)?.packetCount == 0)
        // A key frame whose size is unknown goes without the structure.
        let bare = try #require(VP9Packetizer(frameLength: 5, maxPayloadSize: 100, keyframe: true))
        let slice = try #require(bare.packet(at: 0))
        #expect(try written { try bare.writeDescriptor(into: $0, pictureID: 1, slice: slice) } == [0x8C, 0x80, 0x01])
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 3)) {
            _ = try written(capacity: 2) { try bare.writeDescriptor(into: $0, pictureID: 1, slice: slice) }
        }
        let tiny = try #require(VP9Packetizer(frameLength: 3, maxPayloadSize: 4, keyframe: false))
        #expect(Array(tiny).map(\.frameRange.count) == [1, 1, 1])
    }
}
