import Foundation
import NIOCore
import TestSupport

@testable import SFU

#if canImport(Glibc)
import Glibc
#endif

/// A minimal WebRTC endpoint for driving the SFU over real UDP in tests: it builds an offer, does
/// ICE (as the controlling side), DTLS as client with its own certificate, and SRTP with the keys it
/// exports — the same OpenSSL and libsrtp2 a browser-independent peer would use. Blocking sockets:
/// test code, not a hot path. (Chromium and aiortc are the independent peers, in Tests/e2e.)
/// `connect` (ICE + DTLS, seconds on a loaded machine) runs on a thread of its own and is awaited,
/// so a test does not hold one of the (on 2 cores, two) cooperative threads every other test in the
/// run needs; the receive calls stay synchronous (they return as packets arrive, and a thread per
/// packet would fall behind the stream).
/// `@unchecked Sendable`: one test drives a peer, one call at a time (`connect` is awaited before
/// the next call), so its state is never touched from two threads at once.
final class TestWebRTCPeer: @unchecked Sendable {
    let fd: Int32
    private(set) var ufrag = "t" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    let password = String(repeating: "p", count: 8) + String(UInt64.random(in: 0...UInt64.max), radix: 36) + "0123456789"
    let context: DTLSContext
    var dtls: DTLSEndpoint?
    var outbound: SRTPSession?
    var inbound: SRTPSession?
    var server: (host: String, port: UInt16, ufrag: String, password: String, fingerprint: [UInt8])?
    var answer: SDPSession?

    init() throws {
        context = try DTLSContext(certificate: try DTLSCertificate(commonName: "test-peer"))
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, Self.timestampOption, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// `SO_TIMESTAMPNS` (and `SCM_TIMESTAMPNS`) on Linux x86-64 and arm64: glibc defines it by a
    /// macro Swift does not import.
    static let timestampOption: Int32 = 35

    /// When the kernel received the datagram ``pollMedia(milliseconds:)`` last returned, in Unix
    /// nanoseconds (`SO_TIMESTAMPNS`): on a loaded machine the polling thread may run tens of
    /// milliseconds late, the kernel stamps the arrival itself.
    private(set) var lastArrival: UInt64?

    deinit { close(fd) }

    /// A Chrome-shaped offer: BUNDLE, rtcp-mux, VP8 (96) with RTX (97), NACK/PLI, mid + abs-send-time;
    /// with `transportCC`, also transport-cc feedback and the transport-wide sequence number (id 3);
    /// with `h264`, payload type 96 is Chrome's Constrained Baseline H.264 (`42e01f`, mode 1) instead.
    func offer(sending: Bool, audio: Bool = false, transportCC: Bool = false, h264: Bool = false) -> String {
        let direction = sending ? "sendonly" : "recvonly"
        var lines = [
            "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE 0" + (audio ? " 1" : ""), "a=extmap-allow-mixed", "a=msid-semantic: WMS",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:\(ufrag)", "a=ice-pwd:\(password)", "a=ice-options:trickle",
            "a=fingerprint:sha-256 \(context.certificate.fingerprintSDP)", "a=setup:actpass", "a=mid:0",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
            "a=\(direction)", "a=rtcp-mux", "a=rtcp-rsize",
            h264 ? "a=rtpmap:96 H264/90000" : "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 ccm fir",
            "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
        ]
        if h264 { lines += ["a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"] }
        if transportCC {
            lines += ["a=extmap:3 \(SDPExtmap.URI.transportWideCC)", "a=rtcp-fb:96 transport-cc"]
        }
        if sending { lines += ["a=ssrc-group:FID 1111 2222", "a=ssrc:1111 cname:pub", "a=ssrc:2222 cname:pub", "a=msid:cam v"] }
        if audio {
            lines += [
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=ice-ufrag:\(ufrag)", "a=ice-pwd:\(password)",
                "a=fingerprint:sha-256 \(context.certificate.fingerprintSDP)", "a=setup:actpass", "a=mid:1",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=\(direction)", "a=rtcp-mux",
                "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
            ]
            if sending { lines += ["a=ssrc:3333 cname:pub"] }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    func accept(answer text: String) throws {
        let session = try SDPSession(parsing: text)
        answer = session
        let media = try require(session.media.first, "answer without m-line")
        let candidate = try require(media.candidates.first, "answer without candidates")
        let fingerprint = try require(media.fingerprints.first ?? session.fingerprints.first, "answer without fingerprint")
        server = (
            candidate.address, candidate.port, try require(media.iceUfrag ?? session.iceUfrag, "no ufrag"),
            try require(media.icePwd ?? session.icePwd, "no pwd"), fingerprint.bytes
        )
        let role: DTLSEndpoint.Role = media.setup == .active ? .server : .client
        dtls = try DTLSEndpoint(context: context, role: role, expectedFingerprint: fingerprint.bytes)
    }

    // MARK: UDP

    func sendDatagram(_ bytes: [UInt8]) {
        guard let server else { return }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(server.host)
        address.sin_port = in_port_t(server.port.bigEndian)
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    func receiveDatagram() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    // MARK: ICE + DTLS

    /// After an ICE restart: our new ufrag and the server's new credentials from its answer.
    func adoptRestart(localUfrag: String, serverUfrag: String, serverPassword: String) {
        ufrag = localUfrag
        server?.ufrag = serverUfrag
        server?.password = serverPassword
    }

    /// Waits for a STUN datagram (dropping media meanwhile); nil after `milliseconds`.
    func receiveSTUN(milliseconds: Int) async -> [UInt8]? {
        try? await offPool {
            let deadline = ContinuousClock.now + .milliseconds(milliseconds)
            while ContinuousClock.now < deadline {
                guard let datagram = self.receiveDatagram() else { continue }
                if case .stun = PacketDemux.classify(firstByte: datagram[0], secondByte: datagram.count > 1 ? datagram[1] : nil) {
                    return datagram
                }
            }
            return nil
        }
    }

    func bindingRequest(nominate: Bool) -> [UInt8] {
        guard let server else { return [] }
        var builder = STUNMessageBuilder(messageClass: .request, transactionID: .random())
        builder.append(.username(Array("\(server.ufrag):\(ufrag)".utf8)))
        builder.append(.priority(0x6e7f_00ff))
        builder.append(.iceControlling(tieBreaker: UInt64.random(in: 0...UInt64.max)))
        if nominate { builder.append(.useCandidate) }
        builder.appendMessageIntegrity(password: server.password)
        builder.appendFingerprint()
        return builder.bytes
    }

    /// ICE check (nominating), then the DTLS handshake; every other datagram meanwhile is dropped.
    func connect(timeout: Duration = .seconds(5)) async throws -> SRTPKeys {
        try await offPool { try self.connectBlocking(timeout: timeout) }
    }

    private func connectBlocking(timeout: Duration) throws -> SRTPKeys {
        guard let dtls else { throw TestPeerError("accept an answer first") }
        let deadline = ContinuousClock.now + timeout
        var answered = false
        while ContinuousClock.now < deadline {
            if !answered { sendDatagram(bindingRequest(nominate: true)) }
            for datagram in dtls.popAllDatagrams() { sendDatagram(datagram) }
            guard let datagram = receiveDatagram() else {
                if dtls.retransmitDelayMilliseconds == 0 { dtls.handleTimeout() }
                continue
            }
            switch PacketDemux.classify(firstByte: datagram[0], secondByte: datagram.count > 1 ? datagram[1] : nil) {
            case .stun:
                let message = try STUNMessage(parsing: datagram)
                if message.messageClass == .success { answered = true }
            case .dtls:
                datagram.withUnsafeBytes { dtls.receive($0) }
            default:
                break
            }
            if case .connected(let keys) = dtls.state {
                for datagram in dtls.popAllDatagrams() { sendDatagram(datagram) }
                outbound = try SRTPSession(profile: keys.profile, keyAndSalt: keys.localKeyAndSalt, direction: .outbound)
                inbound = try SRTPSession(profile: keys.profile, keyAndSalt: keys.remoteKeyAndSalt, direction: .inbound)
                return keys
            }
            if case .failed(let error) = dtls.state { throw error }
        }
        throw TestPeerError("no DTLS connection within \(timeout) (ICE answered: \(answered))")
    }

    // MARK: SRTP

    func sendRTP(_ plain: [UInt8]) throws {
        var buffer = ByteBuffer(bytes: plain)
        try require(outbound, "not connected").protect(&buffer, rtcp: false)
        sendDatagram(Array(buffer.readableBytesView))
    }

    func sendRTCP(_ plain: [UInt8]) throws {
        var buffer = ByteBuffer(bytes: plain)
        try require(outbound, "not connected").protect(&buffer, rtcp: true)
        sendDatagram(Array(buffer.readableBytesView))
    }

    enum Received: Sendable { case rtp([UInt8]), rtcp([UInt8]) }

    // The waits below run their blocking socket loops on a thread of their own (`offPool`): suites
    // share one cooperative thread per core, and SFU tests waiting on sockets there starved other
    // suites' timers for seconds.

    /// The next SRTP/SRTCP datagram, unprotected; nil after `timeout` without one.
    func receiveMedia(timeout: Duration = .seconds(2)) async throws -> Received? {
        try await offPool { try self.receiveMediaBlocking(timeout: timeout) }
    }

    private func receiveMediaBlocking(timeout: Duration) throws -> Received? {
        let inbound = try require(inbound, "not connected")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let datagram = receiveDatagram() else { continue }
            let kind = PacketDemux.classify(firstByte: datagram[0], secondByte: datagram.count > 1 ? datagram[1] : nil)
            var buffer = ByteBuffer(bytes: datagram)
            switch kind {
            case .rtp:
                try inbound.unprotect(&buffer, rtcp: false)
                return .rtp(Array(buffer.readableBytesView))
            case .rtcp:
                try inbound.unprotect(&buffer, rtcp: true)
                return .rtcp(Array(buffer.readableBytesView))
            default:
                continue
            }
        }
        return nil
    }

    /// The next SRTP/SRTCP datagram, unprotected, waiting at most `milliseconds` (poll, not the socket timeout).
    func pollMedia(milliseconds: Int) async throws -> Received? {
        try await offPool { try self.pollMediaBlocking(milliseconds: milliseconds) }
    }

    /// ``pollMedia(milliseconds:)`` for a loop that is already on a thread of its own.
    func pollMediaBlocking(milliseconds: Int) throws -> Received? {
        let inbound = try require(inbound, "not connected")
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = ContinuousClock.now + .milliseconds(max(milliseconds, 0))
        while true {
            let remaining = deadline - ContinuousClock.now
            let wait = max(Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000), 0)
            guard poll(&descriptor, 1, wait) > 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: 2048)
            let (n, arrival) = receiveStamped(into: &bytes)
            guard n > 0 else { continue }
            lastArrival = arrival
            var buffer = ByteBuffer(bytes: bytes[0..<n])
            switch PacketDemux.classify(firstByte: bytes[0], secondByte: n > 1 ? bytes[1] : nil) {
            case .rtp:
                try inbound.unprotect(&buffer, rtcp: false)
                return .rtp(Array(buffer.readableBytesView))
            case .rtcp:
                try inbound.unprotect(&buffer, rtcp: true)
                return .rtcp(Array(buffer.readableBytesView))
            default:
                if ContinuousClock.now >= deadline { return nil }
            }
        }
    }

    /// One datagram without waiting, with the kernel's arrival time when it gave one.
    private func receiveStamped(into bytes: inout [UInt8]) -> (count: Int, arrival: UInt64?) {
        var control = [UInt8](repeating: 0, count: 64)
        return bytes.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { control in
                var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                return withUnsafeMutablePointer(to: &vector) { vector in
                    var message = msghdr()
                    message.msg_iov = vector
                    message.msg_iovlen = 1
                    message.msg_control = control.baseAddress
                    message.msg_controllen = control.count
                    let count = recvmsg(fd, &message, Int32(MSG_DONTWAIT))
                    guard count > 0 else { return (count, nil) }
                    // cmsghdr: length (size_t), level, type (int32), then the data, 8-byte aligned.
                    var offset = 0
                    while offset + 16 <= message.msg_controllen {
                        let length = control.load(fromByteOffset: offset, as: Int.self)
                        let level = control.load(fromByteOffset: offset + 8, as: Int32.self)
                        let type = control.load(fromByteOffset: offset + 12, as: Int32.self)
                        if level == SOL_SOCKET, type == Self.timestampOption, length >= 32 {
                            let seconds = control.load(fromByteOffset: offset + 16, as: Int.self)
                            let nanoseconds = control.load(fromByteOffset: offset + 24, as: Int.self)
                            return (count, UInt64(seconds) * 1_000_000_000 + UInt64(nanoseconds))
                        }
                        guard length >= 16 else { break }
                        offset += (length + 7) & ~7
                    }
                    return (count, nil)
                }
            }
        }
    }

    /// The next RTP packet, unprotected (RTCP meanwhile is dropped); nil after `timeout` without one.
    func receiveRTP(timeout: Duration = .seconds(2)) async throws -> [UInt8]? {
        try await offPool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                guard let received = try self.receiveMediaBlocking(timeout: deadline - ContinuousClock.now) else { return nil }
                if case .rtp(let bytes) = received { return bytes }
            }
            return nil
        }
    }
}

/// A sender report as a peer received it over SRTCP, with the CNAME of the SDES chunk for its SSRC.
struct ReceivedSenderReport {
    let ssrc: UInt32
    let ntp: NTPTimestamp
    let rtpTimestamp: UInt32
    let packetCount: UInt32
    let octetCount: UInt32
    let cname: String?

    /// Every sender report in a compound RTCP datagram (unprotected).
    static func all(in datagram: [UInt8]) throws -> [ReceivedSenderReport] {
        try datagram.withUnsafeBytes { bytes in
            var reports: [RTCPSenderReport] = []
            var cnames: [UInt32: String] = [:]
            var iterator = RTCPCompoundIterator(bytes)
            while let packet = try iterator.next() {
                switch packet {
                case .senderReport(let report):
                    reports.append(report)
                case .sourceDescription(let header):
                    // Chunks: SSRC, items (type, length, text) up to a null type, padded to 32 bits.
                    var offset = header.bodyOffset
                    for _ in 0..<header.count {
                        let ssrc = RTPBytes.u32(bytes, offset)
                        offset += 4
                        while bytes[offset] != 0 {
                            let length = Int(bytes[offset + 1])
                            if bytes[offset] == 1 { cnames[ssrc] = String(decoding: bytes[(offset + 2)..<(offset + 2 + length)], as: UTF8.self) }
                            offset += 2 + length
                        }
                        offset = (offset + 4) & ~3
                    }
                default:
                    break
                }
            }
            return reports.map {
                ReceivedSenderReport(
                    ssrc: $0.ssrc, ntp: NTPTimestamp(rawValue: $0.ntpTimestamp), rtpTimestamp: $0.rtpTimestamp,
                    packetCount: $0.packetCount, octetCount: $0.octetCount, cname: cnames[$0.ssrc])
            }
        }
    }
}

/// Wallclock nanoseconds since the Unix epoch (what sender reports' NTP fields are compared with).
func unixNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

struct TestPeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func require<T>(_ value: T?, _ message: String) throws -> T {
    guard let value else { throw TestPeerError(message) }
    return value
}

/// `packet` with a one-byte header extension (RFC 8285) carrying transport-wide sequence number `sequence` as `id`.
func withTransportSequence(_ packet: [UInt8], id: UInt8, sequence: UInt16) -> [UInt8] {
    var bytes = packet
    bytes[0] |= 0x10  // X
    bytes.insert(contentsOf: [0xBE, 0xDE, 0x00, 0x01, id << 4 | 1, UInt8(sequence >> 8), UInt8(sequence & 0xff), 0x00], at: 12)
    return bytes
}

/// A plain RTP packet: VP8 payload descriptor (S=1 when `start`) and a frame byte whose bit 0 clear marks a keyframe.
func vp8Packet(sequence: UInt16, timestamp: UInt32, ssrc: UInt32 = 1111, payloadType: UInt8 = 96, start: Bool, keyframe: Bool, marker: Bool, size: Int = 400)
    -> [UInt8]
{
    var bytes: [UInt8] = [0x80, payloadType | (marker ? 0x80 : 0)]
    bytes += [UInt8(sequence >> 8), UInt8(sequence & 0xff)]
    bytes += withUnsafeBytes(of: timestamp.bigEndian, Array.init)
    bytes += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
    bytes += [start ? 0x10 : 0x00]  // X=0, S, PID 0
    bytes += [keyframe && start ? 0x00 : 0x01, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]
    bytes += (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ Int(sequence)) }
    return bytes
}
