import NIOCore
import Testing

@testable import SFU

/// Our OpenSSL AES-GCM sender must produce exactly the bytes libsrtp2 produces for the same keys,
/// so any receiver (Chrome, aiortc, our inbound sessions) unprotects it.
@Suite struct SRTPGCMSenderTests {
    static func packet(
        ssrc: UInt32, sequence: UInt16, timestamp: UInt32 = 90_000, csrcs: [UInt32] = [], extensionWords: [UInt32]? = nil,
        payload: Int = 1_100
    ) -> [UInt8] {
        var bytes: [UInt8] = [0x80 | UInt8(csrcs.count) | (extensionWords == nil ? 0 : 0x10), 96]
        bytes += [UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        for value in [timestamp, ssrc] + csrcs { bytes += withUnsafeBytes(of: value.bigEndian, Array.init) }
        if let words = extensionWords {
            bytes += [0xBE, 0xDE, UInt8(words.count >> 8), UInt8(words.count & 0xFF)]
            for word in words { bytes += withUnsafeBytes(of: word.bigEndian, Array.init) }
        }
        bytes += (0..<payload).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(sequence)) }
        return bytes
    }

    static func protectWithLibSRTP(_ session: SRTPSession, _ plain: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: plain)
        try session.protect(&buffer, rtcp: false)
        return Array(buffer.readableBytesView)
    }

    static func protectWithOpenSSL(_ sender: SRTPGCMSender, _ plain: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: plain)
        try sender.protect(&buffer)
        return Array(buffer.readableBytesView)
    }

    @Test func matchesLibSRTPByteForByte() throws {
        let keyAndSalt = (0..<28).map { UInt8(($0 * 37 + 11) & 0xFF) }
        let libsrtp = try SRTPSession(profile: .aeadAES128GCM, keyAndSalt: keyAndSalt, direction: .outbound)
        let ours = try SRTPGCMSender(keyAndSalt: keyAndSalt)
        var packets: [[UInt8]] = []
        // Two SSRCs interleaved, across a sequence-number wrap (the rollover counter moves to 1),
        // a retransmission from before the wrap, CSRCs, a header extension, an empty payload.
        for sequence in [UInt16(65_530), 65_531, 65_533, 65_535, 0, 1, 2, 65_534, 3, 20_000, 40_000] {
            packets.append(Self.packet(ssrc: 0x1234_5678, sequence: sequence))
            packets.append(Self.packet(ssrc: 0xCAFE_F00D, sequence: sequence &+ 7, payload: 200))
        }
        packets.append(Self.packet(ssrc: 0x1234_5678, sequence: 41_000, csrcs: [1, 2], extensionWords: [0x1003_0102, 0x0300_0000]))
        packets.append(Self.packet(ssrc: 0x1234_5678, sequence: 41_001, payload: 0))
        for plain in packets {
            let expected = try Self.protectWithLibSRTP(libsrtp, plain)
            let got = try Self.protectWithOpenSSL(ours, plain)
            #expect(got == expected, "sequence \(plain[2]) \(plain[3]) ssrc \(plain[8...11])")
        }
        // And a libsrtp2 receiver takes them.
        let receiver = try SRTPSession(profile: .aeadAES128GCM, keyAndSalt: keyAndSalt, direction: .inbound)
        let sender = try SRTPGCMSender(keyAndSalt: keyAndSalt)
        for sequence in UInt16(100)..<UInt16(110) {
            let plain = Self.packet(ssrc: 42, sequence: sequence)
            var buffer = ByteBuffer(bytes: try Self.protectWithOpenSSL(sender, plain))
            try receiver.unprotect(&buffer, rtcp: false)
            #expect(Array(buffer.readableBytesView) == plain)
        }
    }

    @Test func refusesWhatIsNotRTP() throws {
        let sender = try SRTPGCMSender(keyAndSalt: [UInt8](repeating: 7, count: 28))
        var short = ByteBuffer(bytes: [0x80, 96, 0, 1])
        #expect(throws: SRTPError.self) { try sender.protect(&short) }
        #expect(short.readableBytes == 4)
        #expect(throws: SRTPError.self) { _ = try SRTPGCMSender(keyAndSalt: [UInt8](repeating: 7, count: 30)) }
    }
}
