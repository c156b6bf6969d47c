import Testing
@testable import SFU

@Suite("RFC 7983 demultiplexing")
struct PacketDemuxTests {
    @Test func firstByteRanges() {
        for byte in 0...255 {
            let kind = PacketDemux.classify(firstByte: UInt8(byte), secondByte: 96)
            switch byte {
            case 0...3: #expect(kind == .stun, "\(byte)")
            case 20...63: #expect(kind == .dtls, "\(byte)")
            case 128...191: #expect(kind == .rtp, "\(byte)")
            default: #expect(kind == .unknown, "\(byte)")
            }
        }
    }

    @Test func rtcpIsToldApartBySecondByte() {
        #expect(PacketDemux.classify(firstByte: 0x80, secondByte: 191) == .rtp)
        #expect(PacketDemux.classify(firstByte: 0x80, secondByte: 192) == .rtcp)
        #expect(PacketDemux.classify(firstByte: 0x81, secondByte: 200) == .rtcp)  // SR
        #expect(PacketDemux.classify(firstByte: 0x8F, secondByte: 205) == .rtcp)  // RTPFB
        #expect(PacketDemux.classify(firstByte: 0x80, secondByte: 223) == .rtcp)
        #expect(PacketDemux.classify(firstByte: 0x80, secondByte: 224) == .rtp)
        #expect(PacketDemux.classify(firstByte: 0x80, secondByte: 0xE0 | 96) == .rtp)  // marker + PT 96
        #expect(PacketDemux.classify(firstByte: 0x80, secondByte: nil) == .unknown)
        #expect(PacketDemux.classify(firstByte: 0x00, secondByte: nil) == .stun)
    }

    @Test func wholeDatagrams() {
        [UInt8]().withUnsafeBytes { #expect(PacketDemux.classify($0) == .unknown) }
        RFC5769.request.withUnsafeBytes { #expect(PacketDemux.classify($0) == .stun) }
        let datagrams: [([UInt8], PacketDemux.Kind)] = [
            ([0x16, 0xFE, 0xFD], .dtls),
            ([0x80, 0xC8, 0, 6], .rtcp),
            ([0x90, 0x6F, 0, 1], .rtp),
            ([0x80], .unknown),
            ([0x40, 0x00, 0x00, 0x04], .unknown),  // TURN ChannelData
        ]
        for (bytes, expected) in datagrams {
            bytes.withUnsafeBytes { #expect(PacketDemux.classify($0) == expected, "\(bytes)") }
        }
    }
}
