import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import SFU

/// An Android stream's media through the SFU (streaming.md §3.4, scrcpy.md §11): H.264 access units
/// from a runner come out as RFC 6184 packets, with the cached SPS/PPS sent again (one STAP-A with
/// the IDR's timestamp) before an IDR that came without them; Opus packets come out one per RTP
/// packet on the 48 kHz clock.
@Suite(.serialized) struct SFURunnerH264Tests {
    static let profile = WebRTCH264ProfileLevelID(profileIDC: 0x42, constraints: 0xE0, levelIDC: 0x1F)
    static let media = SDPStreamMedia(video: .h264(profile), audio: .opus)
    static let sps: [UInt8] = [0x67, 0x42, 0xE0, 0x1F, 0xDA, 0x02, 0xD0, 0x28]
    static let pps: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]

    func packets(_ viewer: TestWebRTCPeer, count: Int) async throws -> [(header: RTPHeader, payload: [UInt8])] {
        var out: [(RTPHeader, [UInt8])] = []
        while out.count < count, let packet = try await viewer.receiveRTP() {
            let header = try packet.withUnsafeBytes { try RTPHeader(parsing: $0) }
            out.append((header, Array(packet[header.payloadRange])))
        }
        return out
    }

    @Test func accessUnitsBecomeRFC6184PacketsWithParameterSetsBeforeEveryIDR() async throws {
        let sfu = try await SFULoopbackTests.start()
        defer { Task { await sfu.stop() } }
        try await sfu.attachSource(streamID: "strm_h264", media: Self.media) {}
        let viewer = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(streamID: "strm_h264", media: Self.media, offer: viewer.offer(sending: false, h264: true))
        #expect(viewed.answer.contains("a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"))
        try viewer.accept(answer: viewed.answer)
        _ = try await viewer.connect()

        let idr: [UInt8] = [0x65] + (0..<2500).map { UInt8(truncatingIfNeeded: $0) }
        let delta: [UInt8] = [0x41, 0x9A, 0x02]
        let start: [UInt8] = [0, 0, 0, 1]
        // The first access unit has the config packet in front (as the agent sends it), then a delta
        // frame, then an IDR of a later GOP without SPS/PPS (scrcpy sends them once per session).
        sfu.ingestVideoFrame(
            streamID: "strm_h264", ptsMicroseconds: 5_000_000, keyframe: true,
            data: ByteBuffer(bytes: start + Self.sps + start + Self.pps + start + idr))
        sfu.ingestVideoFrame(streamID: "strm_h264", ptsMicroseconds: 5_033_333, keyframe: false, data: ByteBuffer(bytes: start + delta))
        sfu.ingestVideoFrame(streamID: "strm_h264", ptsMicroseconds: 15_000_000, keyframe: true, data: ByteBuffer(bytes: start + idr))
        let got = try await packets(viewer, count: 9)
        #expect(got.count == 9)
        let stapA: [UInt8] = [0x78, 0x00, 0x08] + Self.sps + [0x00, 0x04] + Self.pps
        // AU 1: STAP-A(SPS, PPS), 3 FU-A fragments of the IDR (marker on the last).
        #expect(got[0].payload == stapA)
        #expect(got[1...3].map { $0.payload[0] } == [0x7C, 0x7C, 0x7C])
        #expect(got[1...3].map { $0.payload[1] } == [0x85, 0x05, 0x45])
        #expect(got[1...3].flatMap { $0.payload.dropFirst(2) } == Array(idr.dropFirst()))
        #expect(got[0...3].map(\.header.marker) == [false, false, false, true])
        // AU 2: one single NAL unit packet, 33,333 µs later at 90 kHz.
        #expect(got[4].payload == delta && got[4].header.marker)
        #expect(got[4].header.timestamp &- got[0].header.timestamp == 2999)
        // AU 3: the cached SPS/PPS again, with the IDR's timestamp, then the IDR.
        #expect(got[5].payload == stapA)
        #expect(got[5].header.timestamp == got[6].header.timestamp)
        #expect(got[5].header.timestamp &- got[0].header.timestamp == 900_000)
        #expect(got[8].header.marker)
        for pair in zip(got, got.dropFirst()) { #expect(pair.1.header.sequenceNumber == pair.0.header.sequenceNumber &+ 1) }
    }

    @Test func opusPacketsFromARunnerGoOutOnThe48kHzClock() async throws {
        let sfu = try await SFULoopbackTests.start()
        defer { Task { await sfu.stop() } }
        try await sfu.attachSource(streamID: "strm_opus", media: Self.media) {}
        let viewer = try TestWebRTCPeer()
        let viewed = try await sfu.addViewer(
            streamID: "strm_opus", media: Self.media, offer: viewer.offer(sending: false, audio: true, h264: true))
        try viewer.accept(answer: viewed.answer)
        _ = try await viewer.connect()
        let packet: [UInt8] = [0xFC] + [UInt8](repeating: 0x55, count: 120)
        sfu.ingestAudioFrame(streamID: "strm_opus", ptsMicroseconds: 7_000_000, data: ByteBuffer(bytes: packet))
        sfu.ingestAudioFrame(streamID: "strm_opus", ptsMicroseconds: 7_020_000, data: ByteBuffer(bytes: packet))
        let got = try await packets(viewer, count: 2)
        #expect(got.count == 2)
        #expect(got.allSatisfy { $0.payload == packet && $0.header.payloadType == 111 })
        #expect(got[1].header.timestamp &- got[0].header.timestamp == 960)
        #expect(got[1].header.sequenceNumber == got[0].header.sequenceNumber &+ 1)
    }
}
