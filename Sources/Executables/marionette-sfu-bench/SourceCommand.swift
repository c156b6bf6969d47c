import ArgumentParser
import SFU

#if canImport(Glibc)
import Glibc
#endif

/// Sends the synthetic stream until killed. To Marionette it is a WHIP publisher (ICE, DTLS client or
/// server as answered, SRTP); to Janus plain RTP on the mountpoint's port, as Janus's RTP mountpoints take.
/// Packets are paced at `pacing` x the bitrate, as libwebrtc's pacer sends them, with the send time
/// (CLOCK_MONOTONIC) in each payload's trailer.
struct SourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "source", abstract: "Publish the synthetic VP8 stream.")

    @Option(help: "marionette (WHIP) or janus (plain RTP)") var target: BenchTarget
    @Option(help: "Marionette's API base URL") var api: String?
    @Option(help: "API key or publish token") var token: String?
    @Option(help: "Marionette stream id") var streamID: String?
    @Option(help: "Janus mountpoint's video RTP port on 127.0.0.1") var rtpPort: UInt16?
    @Option(help: "bits per second") var bitrate = 4_000_000
    @Option(help: "pacing rate as a multiple of the bitrate (0: each frame in one burst)") var pacing = 2.5
    @Option(help: "file written once media flows") var readyFile: String?

    func run() throws {
        let socket = try LoopbackUDPSocket()
        var generator = VP8StreamGenerator(bitrate: bitrate, ssrc: UInt32.random(in: 1...UInt32.max))
        let peer: PeerTransport?
        let destination: sockaddr_in
        switch target {
        case .janus:
            guard let rtpPort else { throw ValidationError("--rtp-port is required for janus") }
            peer = nil
            destination = LoopbackUDPSocket.address("127.0.0.1", rtpPort)
        case .marionette:
            guard let api, let token, let streamID else { throw ValidationError("--api, --token and --stream-id are required for marionette") }
            let publisher = try publish(api: api, token: token, streamID: streamID, socket: socket, ssrc: generator.ssrc)
            peer = publisher
            destination = LoopbackUDPSocket.address(publisher.remote.host, publisher.remote.port)
        }
        if let readyFile { _ = fopen(readyFile, "w").map { fclose($0) } }
        var scratch = [UInt8](repeating: 0, count: 2048)
        var sendBuffer = [UInt8](repeating: 0, count: 1500 + SRTPSession.maxTrailer)
        let frameNanoseconds = UInt64(1_000_000_000 / generator.fps)
        let start = MonotonicClock.nanoseconds()
        var lastCheck = start
        var lastReport = start
        var dropped = 0
        var sendAt = start
        while true {
            // A paced keyframe can run past the next frame's time; that frame then follows it.
            sendAt = max(sendAt, start + UInt64(generator.frameIndex) * frameNanoseconds)
            for packet in generator.nextFrame() {
                MonotonicClock.sleep(until: sendAt)
                if pacing > 0 { sendAt += UInt64(Double(packet.bytes.count * 8) / (pacing * Double(bitrate)) * 1e9) }
                var length = packet.bytes.count
                try sendBuffer.withUnsafeMutableBytes { buffer in
                    packet.bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: length) }
                    BenchPayload.stamp(UnsafeMutableRawBufferPointer(rebasing: buffer[packet.payloadOffset..<length]), sendTime: MonotonicClock.nanoseconds())
                    if let outbound = peer?.outbound { try outbound.protectRTP(buffer.baseAddress!, length: &length) }
                    if !socket.send(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), to: destination) { dropped += 1 }
                }
            }
            // Whatever came back (Binding responses, SFU RTCP): read and drop; keep consent fresh.
            while let n = socket.receive(into: &scratch), let peer {
                if PacketDemux.classify(firstByte: scratch[0], secondByte: n > 1 ? scratch[1] : nil) == .dtls {
                    scratch.withUnsafeBytes { try? peer.receiveDTLS(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
            let now = MonotonicClock.nanoseconds()
            if let peer, now - lastReport > 1_000_000_000 {
                // A sender report a second, as browsers send: the SFU maps its viewers' SRs from it.
                lastReport = now
                let rtpTimestamp = generator.initialTimestamp &+ UInt32(truncatingIfNeeded: (now - start) * 9 / 100_000)
                sendSenderReport(peer, generator: generator, rtpTimestamp: rtpTimestamp, socket: socket, to: destination)
            }
            if let peer, now - lastCheck > 2_500_000_000 {
                lastCheck = now
                peer.bindingRequest().withUnsafeBytes { _ = socket.send($0, to: destination) }
            }
            if generator.frameIndex % (generator.fps * 10) == 0 {
                BenchOutput.log("source", "\(generator.frameIndex) frames, \(dropped) send drops")
            }
        }
    }

    private func sendSenderReport(
        _ peer: PeerTransport, generator: VP8StreamGenerator, rtpTimestamp: UInt32, socket: LoopbackUDPSocket, to destination: sockaddr_in
    ) {
        guard let outbound = peer.outbound else { return }
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let ntp = NTPTimestamp(unixNanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
        var bytes = [UInt8](repeating: 0, count: 28 + SRTPSession.maxTrailer)
        var length = bytes.withUnsafeMutableBytes {
            (try? RTCPWriter.senderReport(
                ssrc: generator.ssrc, ntpTimestamp: ntp.rawValue, rtpTimestamp: rtpTimestamp, packetCount: generator.packetsSent,
                octetCount: generator.payloadOctetsSent, reportBlocks: [RTCPReportBlock](), into: $0)) ?? 0
        }
        guard length > 0 else { return }
        guard (try? bytes.withUnsafeMutableBytes { try outbound.protectRTCP($0.baseAddress!, length: &length) }) != nil else { return }
        bytes.withUnsafeBytes { _ = socket.send(UnsafeRawBufferPointer(rebasing: $0[0..<length]), to: destination) }
    }

    /// WHIP POST, then ICE and DTLS on `socket` until SRTP is keyed (10 s at most).
    private func publish(api: String, token: String, streamID: String, socket: LoopbackUDPSocket, ssrc: UInt32) throws -> PeerTransport {
        let http = try BlockingHTTPClient(base: api)
        let context = try DTLSContext(certificate: try DTLSCertificate(commonName: "sfu-bench-source"))
        let credentials = LocalICECredentials.random()
        let offer = BenchSDP.offer(credentials: credentials, fingerprint: context.certificate.fingerprintSDP, sending: ssrc)
        let response = try http.request(
            "POST", "/api/v1/streams/\(streamID)/whip",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/sdp")], body: offer)
        guard response.status == 201 else { throw SignalingError("WHIP POST: \(response.status) \(response.body.prefix(300))") }
        let remote = try RemoteDescription(sdp: response.body, weOffered: true)
        let peer = try PeerTransport(credentials: credentials, remote: remote, context: context)
        let destination = LoopbackUDPSocket.address(remote.host, remote.port)
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        var scratch = [UInt8](repeating: 0, count: 2048)
        var nextCheck: UInt64 = 0
        while !peer.srtpReady {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else { throw SignalingError("WHIP publisher: no DTLS connection within 10 s (ICE: \(peer.iceConnected))") }
            if !peer.iceConnected, now >= nextCheck {
                nextCheck = now + 100_000_000
                peer.bindingRequest().withUnsafeBytes { _ = socket.send($0, to: destination) }
            }
            while let n = socket.receive(into: &scratch) {
                let datagram = scratch.withUnsafeBytes { Array($0[0..<n]) }
                switch PacketDemux.classify(firstByte: datagram[0], secondByte: n > 1 ? datagram[1] : nil) {
                case .stun:
                    let reply = datagram.withUnsafeBytes { peer.receiveSTUN($0, from: ICEAddress(ipv4: 127, 0, 0, 1, port: remote.port)) }
                    reply?.withUnsafeBytes { _ = socket.send($0, to: destination) }
                case .dtls:
                    try datagram.withUnsafeBytes { try peer.receiveDTLS($0) }
                default:
                    break
                }
            }
            try peer.tick()
            if peer.iceConnected {
                for datagram in peer.dtls.popAllDatagrams() { datagram.withUnsafeBytes { _ = socket.send($0, to: destination) } }
            }
            usleep(2000)
        }
        BenchOutput.log("source", "publishing to Marionette stream \(streamID) with \(peer.profile.map { "\($0)" } ?? "?")")
        return peer
    }
}
