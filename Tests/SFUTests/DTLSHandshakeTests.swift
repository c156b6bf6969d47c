import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import SFU

/// Two real OpenSSL DTLS endpoints (ours, both roles) shake hands over in-memory datagrams, then SRTP
/// keys exported on each side protect and unprotect each other's packets with libsrtp2.
@Suite struct DTLSHandshakeTests {
    static let certificateA = Result { try DTLSCertificate(commonName: "a") }
    static let certificateB = Result { try DTLSCertificate(commonName: "b") }

    /// Moves datagrams both ways until neither side has anything to send.
    static func pump(_ a: DTLSEndpoint, _ b: DTLSEndpoint, dropFirstFrom dropped: Int = 0) -> (rounds: Int, datagrams: Int) {
        var rounds = 0, total = 0, toDrop = dropped
        while rounds < 50 {
            let fromA = a.popAllDatagrams(), fromB = b.popAllDatagrams()
            if fromA.isEmpty && fromB.isEmpty { break }
            for datagram in fromA {
                total += 1
                #expect(datagram.count <= 1200, "a datagram above the MTU")
                if toDrop > 0 { toDrop -= 1; continue }
                datagram.withUnsafeBytes { b.receive($0) }
            }
            for datagram in fromB {
                total += 1
                #expect(datagram.count <= 1200)
                datagram.withUnsafeBytes { a.receive($0) }
            }
            rounds += 1
        }
        return (rounds, total)
    }

    static func keys(_ endpoint: DTLSEndpoint) -> SRTPKeys? {
        if case .connected(let keys) = endpoint.state { return keys }
        return nil
    }

    @Test func handshakeNegotiatesGCMAndKeysMirror() throws {
        let server = try DTLSContext(certificate: try Self.certificateA.get())
        let client = try DTLSContext(certificate: try Self.certificateB.get())
        let passive = try DTLSEndpoint(context: server, role: .server, expectedFingerprint: client.certificate.fingerprint)
        let active = try DTLSEndpoint(context: client, role: .client, expectedFingerprint: server.certificate.fingerprint)
        let (rounds, datagrams) = Self.pump(active, passive)
        let serverKeys = try #require(Self.keys(passive), "server state \(passive.state)")
        let clientKeys = try #require(Self.keys(active), "client state \(active.state)")
        #expect(rounds <= 4 && datagrams >= 4)
        #expect(serverKeys.profile == .aeadAES128GCM)
        #expect(serverKeys.localKeyAndSalt == clientKeys.remoteKeyAndSalt)
        #expect(serverKeys.remoteKeyAndSalt == clientKeys.localKeyAndSalt)
        #expect(serverKeys.localKeyAndSalt.count == 28)
        #expect(serverKeys.localKeyAndSalt != serverKeys.remoteKeyAndSalt)
    }

    @Test func theServerFallsBackToCMWhenTheClientOffersOnlyCM() throws {
        let server = try DTLSContext(certificate: try Self.certificateA.get())
        let client = try DTLSContext(certificate: try Self.certificateB.get(), profiles: [.aes128CMSHA1_80])
        let passive = try DTLSEndpoint(context: server, role: .server, expectedFingerprint: client.certificate.fingerprint)
        let active = try DTLSEndpoint(context: client, role: .client, expectedFingerprint: server.certificate.fingerprint)
        _ = Self.pump(active, passive)
        #expect(Self.keys(passive)?.profile == .aes128CMSHA1_80)
        #expect(Self.keys(passive)?.localKeyAndSalt.count == 30)
    }

    @Test func aCertificateOtherThanTheSignalledOneFails() throws {
        let server = try DTLSContext(certificate: try Self.certificateA.get())
        let client = try DTLSContext(certificate: try Self.certificateB.get())
        var wrong = client.certificate.fingerprint
        wrong[0] ^= 1
        let passive = try DTLSEndpoint(context: server, role: .server, expectedFingerprint: wrong)
        let active = try DTLSEndpoint(context: client, role: .client, expectedFingerprint: server.certificate.fingerprint)
        _ = Self.pump(active, passive)
        #expect(passive.state == .failed(.fingerprintMismatch))
    }

    @Test func aLostFlightIsRetransmittedOnTheTimer() async throws {
        let server = try DTLSContext(certificate: try Self.certificateA.get())
        let client = try DTLSContext(certificate: try Self.certificateB.get())
        let passive = try DTLSEndpoint(context: server, role: .server, expectedFingerprint: client.certificate.fingerprint)
        let active = try DTLSEndpoint(context: client, role: .client, expectedFingerprint: server.certificate.fingerprint)
        _ = Self.pump(active, passive, dropFirstFrom: 1)  // the ClientHello is lost
        #expect(passive.state == .handshaking && active.state == .handshaking)
        let delay = try #require(active.retransmitDelayMilliseconds)
        #expect(delay > 0 && delay <= 1000)
        // OpenSSL checks the timer against the wall clock; wait it out, then retransmit.
        try await Task.sleep(for: .milliseconds(Int(delay) + 20))
        active.handleTimeout()
        _ = Self.pump(active, passive)
        #expect(Self.keys(passive) != nil, "\(passive.state)")
    }

    @Test func garbageFailsTheHandshakeWithoutCrashing() throws {
        let server = try DTLSContext(certificate: try Self.certificateA.get())
        let passive = try DTLSEndpoint(context: server, role: .server, expectedFingerprint: [UInt8](repeating: 0, count: 32))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var junk = [UInt8](repeating: 0, count: Int.random(in: 0...300, using: &generator))
            for index in junk.indices { junk[index] = UInt8.random(in: 0...255, using: &generator) }
            if !junk.isEmpty { junk[0] = 22 }  // a handshake record type
            junk.withUnsafeBytes { passive.receive($0) }
            _ = passive.popAllDatagrams()
        }
        if case .connected = passive.state { Issue.record("junk completed a handshake") }
    }

    @Test func srtpAndSrtcpRoundTripWithTheExportedKeys() throws {
        let server = try DTLSContext(certificate: try Self.certificateA.get())
        let client = try DTLSContext(certificate: try Self.certificateB.get())
        let passive = try DTLSEndpoint(context: server, role: .server, expectedFingerprint: client.certificate.fingerprint)
        let active = try DTLSEndpoint(context: client, role: .client, expectedFingerprint: server.certificate.fingerprint)
        _ = Self.pump(active, passive)
        let serverKeys = try #require(Self.keys(passive)), clientKeys = try #require(Self.keys(active))
        let sender = try SRTPSession(profile: serverKeys.profile, keyAndSalt: serverKeys.localKeyAndSalt, direction: .outbound)
        let receiver = try SRTPSession(profile: clientKeys.profile, keyAndSalt: clientKeys.remoteKeyAndSalt, direction: .inbound)

        for sequence in UInt16(1000)..<1100 {
            var packet = ByteBuffer(bytes: [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xff), 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef])
            packet.writeBytes((0..<1000).map { UInt8(truncatingIfNeeded: $0 &+ Int(sequence)) })
            let plain = packet
            try sender.protect(&packet, rtcp: false)
            #expect(packet.readableBytes == plain.readableBytes + 16)  // GCM tag
            #expect(packet.getBytes(at: 12, length: 16) != plain.getBytes(at: 12, length: 16))
            try receiver.unprotect(&packet, rtcp: false)
            #expect(packet == plain)
        }
        // A replay is refused.
        var again = ByteBuffer(bytes: [0x80, 96, 0x03, 0xe8, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3])
        try sender.protect(&again, rtcp: false)
        #expect(throws: SRTPError.self) { try receiver.unprotect(&again, rtcp: false) }

        // SRTCP: a PLI (PT 206, FMT 1).
        var pli = ByteBuffer(bytes: [0x81, 206, 0, 2, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef])
        let plainPLI = pli
        try sender.protect(&pli, rtcp: true)
        try receiver.unprotect(&pli, rtcp: true)
        #expect(pli == plainPLI)

        // Tampering is detected.
        var tampered = ByteBuffer(bytes: [0x80, 96, 0x10, 0x00, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef, 9, 9, 9, 9])
        try sender.protect(&tampered, rtcp: false)
        tampered.setInteger(tampered.getInteger(at: 13, as: UInt8.self)! ^ 0x40, at: 13)
        #expect(throws: SRTPError.self) { try receiver.unprotect(&tampered, rtcp: false) }
    }
}

