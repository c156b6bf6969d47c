import NIOCore
import SFU

/// One synthetic viewer on its own UDP channel: ICE, DTLS and SRTP through ``PeerTransport``, then
/// it counts every RTP packet from the clear header (loss from sequence numbers), decrypts one in
/// `decryptEvery` to read the source's send time (delay), and sends an SRTCP receiver report every
/// second and a consent check every 2.5 s, as a browser would. It never decodes.
final class ViewerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let dtlsContext: DTLSContext
    private let decryptEvery: UInt64
    private var context: ChannelHandlerContext?
    private var transport: PeerTransport?
    private var remoteAddress: SocketAddress?
    private var timer: RepeatedTask?
    private(set) var stats = ViewerStats()
    private var connectedCounted = false
    private let localSSRC = UInt32.random(in: 1...UInt32.max)
    private var mediaSSRC: UInt32?
    private var firstSequence: Int64 = 0
    private var highestSequence: Int64 = 0
    private var lastReport = (expected: UInt64(0), received: UInt64(0))
    /// Extended sequence number of the last marker packet (nil before the first) and packets since it.
    private var lastMarkerSequence: Int64?
    private var packetsSinceMarker: Int64 = 0
    private var ticks = 0

    init(dtlsContext: DTLSContext, decryptEvery: Int) {
        self.dtlsContext = dtlsContext
        self.decryptEvery = UInt64(max(decryptEvery, 1))
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        self.context = nil
    }

    /// Starts ICE towards `remote` (on the channel's loop, after signaling).
    func begin(remote: RemoteDescription, credentials: LocalICECredentials) {
        guard let context else { return }
        do {
            transport = try PeerTransport(credentials: credentials, remote: remote, context: dtlsContext)
            remoteAddress = try SocketAddress(ipAddress: remote.host, port: Int(remote.port))
        } catch {
            fail("\(error)")
            return
        }
        sendCheck()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)  // the timer runs on this loop; cancelled on removal
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
            bound.value.tick()
        }
    }

    func fail(_ reason: String) {
        guard stats.failed == 0 else { return }
        stats.failed = 1
        stats.firstError = reason
        timer?.cancel()
    }

    func snapshot() -> ViewerStats { stats }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = MonotonicClock.nanoseconds()
        var envelope = unwrapInboundIn(data)
        guard let transport, stats.failed == 0, envelope.data.readableBytes > 1 else { return }
        let first = envelope.data.readableBytesView.first!
        let second = envelope.data.readableBytesView.dropFirst().first!
        switch PacketDemux.classify(firstByte: first, secondByte: second) {
        case .rtp:
            receiveRTP(&envelope.data, transport: transport, now: now)
        case .rtcp:
            stats.rtcpReceived += 1
        case .stun:
            let address = Self.iceAddress(envelope.remoteAddress)
            let reply = envelope.data.withUnsafeReadableBytes { transport.receiveSTUN($0, from: address) }
            if let reply { send(reply) }
            flushDTLS()
        case .dtls:
            do {
                try envelope.data.withUnsafeReadableBytes { try transport.receiveDTLS($0) }
            } catch {
                fail("DTLS: \(error)")
            }
            flushDTLS()
            noteConnected()
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    private func receiveRTP(_ buffer: inout ByteBuffer, transport: PeerTransport, now: UInt64) {
        guard buffer.readableBytes >= 12, let inbound = transport.inbound else { return }
        let view = buffer.readableBytesView
        let base = view.startIndex
        let ssrc = UInt32(view[base + 8]) << 24 | UInt32(view[base + 9]) << 16 | UInt32(view[base + 10]) << 8 | UInt32(view[base + 11])
        if mediaSSRC == nil { mediaSSRC = ssrc }
        guard ssrc == mediaSSRC else { return }
        let sequence = UInt16(view[base + 2]) << 8 | UInt16(view[base + 3])
        let extended = unwrap(sequence)
        stats.received += 1
        stats.receivedBytes += UInt64(buffer.readableBytes)
        stats.expected = UInt64(highestSequence - firstSequence + 1)
        packetsSinceMarker += 1
        if view[base + 1] & 0x80 != 0 {
            stats.frames += 1
            if let last = lastMarkerSequence, extended - last == packetsSinceMarker { stats.completeFrames += 1 }
            lastMarkerSequence = extended
            packetsSinceMarker = 0
        }
        guard stats.received % decryptEvery == 0 else { return }
        let sendTime: UInt64? = buffer.withUnsafeMutableReadableBytes { bytes -> UInt64? in
            var length = bytes.count
            do {
                try inbound.unprotectRTP(bytes.baseAddress!, length: &length)
            } catch {
                stats.decryptFailures += 1
                return nil
            }
            let packet = UnsafeRawBufferPointer(rebasing: bytes[0..<length])
            guard let header = try? RTPHeader(parsing: packet) else { return nil }
            return BenchPayload.sendTime(in: UnsafeRawBufferPointer(rebasing: packet[header.payloadRange]))
        }
        guard let sendTime else { return }
        stats.decrypted += 1
        stats.recordDelay(now > sendTime ? now - sendTime : 0)
    }

    /// Extends a 16-bit sequence number by the nearest wrap to the highest seen (RFC 3550 A.1 style).
    @discardableResult
    private func unwrap(_ sequence: UInt16) -> Int64 {
        if stats.received == 0 {
            firstSequence = Int64(sequence)
            highestSequence = Int64(sequence)
            return highestSequence
        }
        let delta = Int64(Int16(bitPattern: sequence &- UInt16(truncatingIfNeeded: highestSequence)))
        let extended = highestSequence + delta
        if extended > highestSequence { highestSequence = extended }
        return extended
    }

    private func tick() {
        guard let transport, stats.failed == 0 else { return }
        ticks += 1
        if !transport.iceConnected {
            sendCheck()
            return
        }
        do { try transport.tick() } catch { fail("DTLS: \(error)") }
        flushDTLS()
        noteConnected()
        if ticks % 25 == 0 { sendCheck() }  // consent freshness (RFC 7675), as browsers do every few seconds
        if transport.srtpReady, ticks % 10 == 0 { sendReceiverReport(transport) }
        context?.flush()
    }

    private func noteConnected() {
        guard !connectedCounted, let transport, let profile = transport.profile else { return }
        connectedCounted = true
        stats.connected = 1
        stats.profiles["\(profile)"] = 1
    }

    private func sendCheck() {
        guard let transport else { return }
        send(transport.bindingRequest())
        context?.flush()
    }

    private func flushDTLS() {
        guard let transport, transport.iceConnected else { return }
        for datagram in transport.dtls.popAllDatagrams() { send(datagram) }
        context?.flush()
    }

    private func sendReceiverReport(_ transport: PeerTransport) {
        guard let outbound = transport.outbound, let mediaSSRC else { return }
        let expected = stats.expected
        let lost = Int64(expected) - Int64(stats.received)
        let intervalExpected = expected - lastReport.expected
        let intervalLost = Int64(intervalExpected) - Int64(stats.received - lastReport.received)
        let fraction = intervalExpected == 0 || intervalLost <= 0 ? 0 : UInt8(min(255, intervalLost * 256 / Int64(intervalExpected)))
        lastReport = (expected, stats.received)
        let block = RTCPReportBlock(
            ssrc: mediaSSRC, fractionLost: fraction, cumulativeLost: Int32(clamping: max(lost, 0)),
            highestSequenceNumber: UInt32(truncatingIfNeeded: highestSequence), jitter: 0, lastSenderReport: 0,
            delaySinceLastSenderReport: 0)
        var bytes = [UInt8](repeating: 0, count: 32 + SRTPSession.maxTrailer)
        var length = bytes.withUnsafeMutableBytes { (try? RTCPWriter.receiverReport(ssrc: localSSRC, reportBlocks: [block], into: $0)) ?? 0 }
        guard length > 0 else { return }
        do {
            try bytes.withUnsafeMutableBytes { try outbound.protectRTCP($0.baseAddress!, length: &length) }
        } catch {
            fail("SRTCP protect: \(error)")
            return
        }
        send(Array(bytes[0..<length]))
        stats.receiverReportsSent += 1
    }

    private func send(_ bytes: [UInt8]) {
        guard let context, let remoteAddress else { return }
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: remoteAddress, data: ByteBuffer(bytes: bytes))), promise: nil)
    }

    private static func iceAddress(_ address: SocketAddress) -> ICEAddress {
        let parts = (address.ipAddress ?? "0.0.0.0").split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { return ICEAddress(ipv4: 0, 0, 0, 0, port: 0) }
        return ICEAddress(ipv4: parts[0], parts[1], parts[2], parts[3], port: UInt16(address.port ?? 0))
    }
}
