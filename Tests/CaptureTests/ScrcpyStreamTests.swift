import Testing

@testable import Capture

/// The video/audio socket side of scrcpy.md: codec ids, the 3.3.4 size header, 4.1 session packets,
/// 12-byte frame headers (§5, vectors §8.3/§8.4) and `ScrcpyStreamParser`.
@Suite struct ScrcpyStreamTests {
    // MARK: Vectors (§8.3, §8.4)

    struct HeaderVector: Sendable, CustomTestStringConvertible {
        let name: String
        let v334: String
        let v41: String
        let header: ScrcpyFrameHeader
        var testDescription: String { name }
    }

    static let headerVectors: [HeaderVector] = [
        HeaderVector(
            name: "config packet header, 25-byte SPS/PPS", v334: "80 00 00 00 00 00 00 00 00000019",
            v41: "40 00 00 00 00 00 00 00 00000019", header: .config(payloadSize: 25)),
        HeaderVector(
            name: "key frame, PTS 1,000,000 µs, 50,000 bytes", v334: "40 00 00 00 00 0f 42 40 0000c350",
            v41: "20 00 00 00 00 0f 42 40 0000c350", header: .media(keyFrame: true, ptsMicroseconds: 1_000_000, payloadSize: 50_000)),
        HeaderVector(
            name: "delta frame, PTS 1,033,333 µs, 1,200 bytes", v334: "00 00 00 00 00 0f c4 75 000004b0",
            v41: "00 00 00 00 00 0f c4 75 000004b0",
            header: .media(keyFrame: false, ptsMicroseconds: 1_033_333, payloadSize: 1200)),
        HeaderVector(
            name: "key frame, PTS 259,200,123,456 µs, 50,000 bytes", v334: "40 00 00 3c 59 88 02 40 0000c350",
            v41: "20 00 00 3c 59 88 02 40 0000c350",
            header: .media(keyFrame: true, ptsMicroseconds: 259_200_123_456, payloadSize: 50_000)),
        HeaderVector(
            name: "Opus config header (19-byte OpusHead)", v334: "80 00 00 00 00 00 00 00 00000013",
            v41: "40 00 00 00 00 00 00 00 00000013", header: .config(payloadSize: 19)),
        HeaderVector(
            name: "Opus packet, PTS 1,020,000 µs, 321 bytes", v334: "00 00 00 00 00 0f 90 60 00000141",
            v41: "00 00 00 00 00 0f 90 60 00000141",
            header: .media(keyFrame: false, ptsMicroseconds: 1_020_000, payloadSize: 321)),
    ]

    @Test(arguments: headerVectors)
    func frameHeaderVectors(_ vector: HeaderVector) throws {
        for (version, dump) in [(ScrcpyVersion.v3_3_4, vector.v334), (.v4_1, vector.v41)] {
            let bytes = scrcpyHex(dump)
            #expect(try vector.header.encoded(for: version) == bytes, "\(version)")
            let parsed = try bytes.withUnsafeBytes { try ScrcpyFrameHeader(parsing: $0, version: version) }
            #expect(parsed == vector.header, "\(version)")
        }
    }

    /// §5.4's worked decode.
    @Test func workedDecode41() throws {
        let h = try scrcpyHex("20 00 00 00 00 0f 42 40 00 00 c3 50").withUnsafeBytes {
            try ScrcpyFrameHeader(parsing: $0, version: .v4_1)
        }
        #expect(!h.isConfig && h.isKeyFrame && h.ptsMicroseconds == 1_000_000 && h.payloadSize == 50_000)
    }

    @Test func codecIDVectors() {
        let table: [(ScrcpyCodecID, String, String, ScrcpyStreamKind)] = [
            (.h264, "h264", "68 32 36 34", .video), (.h265, "h265", "68 32 36 35", .video),
            (.av1, "av1", "00 61 76 31", .video), (.vp8, "vp8", "00 76 70 38", .video),
            (.vp9, "vp9", "00 76 70 39", .video), (.opus, "opus", "6f 70 75 73", .audio),
            (.aac, "aac", "00 61 61 63", .audio), (.flac, "flac", "66 6c 61 63", .audio),
            (.raw, "raw", "00 72 61 77", .audio),
        ]
        for (codec, name, dump, kind) in table {
            let bytes = scrcpyHex(dump)
            #expect(bytes.withUnsafeBytes { ScrcpyBytes.u32($0, 0) } == codec.rawValue, "\(name)")
            // The id is the ASCII name packed big-endian, right-aligned.
            #expect(Array(bytes.drop(while: { $0 == 0 })) == Array(name.utf8), "\(name)")
            #expect(codec.name == name && ScrcpyCodecID(name: name) == codec && codec.streamKind == kind)
        }
        #expect(ScrcpyCodecID.vp8.isCodec(of: .video, in: .v4_1) && !ScrcpyCodecID.vp8.isCodec(of: .video, in: .v3_3_4))
        #expect(!ScrcpyCodecID.opus.isCodec(of: .video, in: .v4_1) && ScrcpyCodecID.opus.isCodec(of: .audio, in: .v3_3_4))
        #expect(ScrcpyCodecID.disabled.rawValue == 0 && ScrcpyCodecID.configurationError.rawValue == 1)
        #expect(ScrcpyCodecID.disabled.name == nil && ScrcpyCodecID(name: "mp3") == nil)
    }

    @Test func sizeHeaderAndSessionVectors() throws {
        let size = ScrcpyVideoSize(width: 1080, height: 2400)
        var out: [UInt8] = []
        size.writeHeader(to: &out)
        #expect(out == scrcpyHex("00000438 00000960"))
        #expect(try out.withUnsafeBytes { try ScrcpyVideoSize(parsingHeader: $0) } == size)

        let first = ScrcpySessionPacket(size: size, clientResized: false)
        let resized = ScrcpySessionPacket(size: ScrcpyVideoSize(width: 1920, height: 1080), clientResized: true)
        #expect(first.encoded == scrcpyHex("80 00 00 00 00000438 00000960"))
        #expect(resized.encoded == scrcpyHex("80 00 00 01 00000780 00000438"))
        for packet in [first, resized] {
            #expect(try packet.encoded.withUnsafeBytes { try ScrcpySessionPacket(parsing: $0) } == packet)
        }
        // Padding and reserved bits are ignored, as by the reference client.
        let noisy = scrcpyHex("ff 12 34 fe 00000438 00000960")
        #expect(try noisy.withUnsafeBytes { try ScrcpySessionPacket(parsing: $0) } == first)
        #expect(scrcpyError { try scrcpyHex("00 00 00 00 00000438 00000960").withUnsafeBytes { try ScrcpySessionPacket(parsing: $0) } } == .notASessionPacket)
        #expect(scrcpyError { try scrcpyHex("80 00 00 00 00000000 00000960").withUnsafeBytes { try ScrcpySessionPacket(parsing: $0) } } == .invalidVideoSize(width: 0, height: 2400))
        #expect(scrcpyError { try [UInt8](repeating: 0x80, count: 11).withUnsafeBytes { try ScrcpySessionPacket(parsing: $0) } } == .truncated(item: "session packet", needed: 12, available: 11))
    }

    @Test func deviceMetaVector() throws {
        let bytes = scrcpyHex("50 69 78 65 6c 20 37") + [UInt8](repeating: 0, count: 57)
        #expect(bytes.count == 64)
        #expect(ScrcpyDeviceMeta(deviceName: "Pixel 7").encoded == bytes)
        #expect(try bytes.withUnsafeBytes { try ScrcpyDeviceMeta(parsing: $0) }.deviceName == "Pixel 7")
        #expect(ScrcpyDeviceMeta.forwardDummyByte == 0x00)
    }

    @Test func deviceMetaTruncation() throws {
        // 62 ASCII bytes + "é" (2 bytes) = 64: the server cuts before the é, never inside it.
        let name = String(repeating: "m", count: 62) + "é"
        let encoded = ScrcpyDeviceMeta(deviceName: name).encoded
        #expect(encoded.count == 64 && encoded[62] == 0 && encoded[63] == 0)
        #expect(try encoded.withUnsafeBytes { try ScrcpyDeviceMeta(parsing: $0) }.deviceName == String(repeating: "m", count: 62))
        // 61 + "é" = 63 bytes fits exactly.
        let fits = String(repeating: "m", count: 61) + "é"
        #expect(try ScrcpyDeviceMeta(deviceName: fits).encoded.withUnsafeBytes { try ScrcpyDeviceMeta(parsing: $0) }.deviceName == fits)
        // The client forces byte 63 to NUL: 64 non-NUL bytes give a 63-byte name.
        let full = [UInt8](repeating: 0x41, count: 64)
        #expect(try full.withUnsafeBytes { try ScrcpyDeviceMeta(parsing: $0) }.deviceName == String(repeating: "A", count: 63))
        #expect(scrcpyError { try [UInt8](repeating: 0, count: 63).withUnsafeBytes { try ScrcpyDeviceMeta(parsing: $0) } } == .truncated(item: "device meta", needed: 64, available: 63))
    }

    // MARK: Whole streams

    static let sps: [UInt8] = [0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F] + [UInt8](repeating: 0x11, count: 9) + [0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80]
    static let opusHead = scrcpyHex("4f707573 48656164 01 02 3801 80bb0000 0000 00")

    static func payload(_ n: Int, _ seed: UInt8) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0) &+ seed } }

    /// A 3.3.4 video socket as the first socket: meta, codec, size, config, key, delta, key.
    static func video334() -> (bytes: [UInt8], events: [ScrcpyStreamEvent]) {
        var b = ScrcpyDeviceMeta(deviceName: "Pixel 7").encoded
        b += scrcpyHex("68323634") + scrcpyHex("00000438 00000960")
        b += scrcpyHex("80 00 00 00 00 00 00 00 00000019") + sps
        let key = payload(50_000, 1), delta = payload(1200, 2), late = payload(50_000, 3)
        b += scrcpyHex("40 00 00 00 00 0f 42 40 0000c350") + key
        b += scrcpyHex("00 00 00 00 00 0f c4 75 000004b0") + delta
        b += scrcpyHex("40 00 00 3c 59 88 02 40 0000c350") + late
        return (b, [
            .deviceMeta(ScrcpyDeviceMeta(deviceName: "Pixel 7")), .codec(.h264),
            .videoSize(ScrcpyVideoSize(width: 1080, height: 2400)), .config(sps),
            .media(ScrcpyMediaPacket(isKeyFrame: true, ptsMicroseconds: 1_000_000, payload: key)),
            .media(ScrcpyMediaPacket(isKeyFrame: false, ptsMicroseconds: 1_033_333, payload: delta)),
            .media(ScrcpyMediaPacket(isKeyFrame: true, ptsMicroseconds: 259_200_123_456, payload: late)),
        ])
    }

    /// A 4.1 video socket: codec, session, config, key, delta, then a client resize: session (R),
    /// config, key.
    static func video41() -> (bytes: [UInt8], events: [ScrcpyStreamEvent]) {
        let key = payload(50_000, 4), delta = payload(1200, 5), late = payload(50_000, 6)
        var b = scrcpyHex("68323634")
        b += scrcpyHex("80 00 00 00 00000438 00000960")
        b += scrcpyHex("40 00 00 00 00 00 00 00 00000019") + sps
        b += scrcpyHex("20 00 00 00 00 0f 42 40 0000c350") + key
        b += scrcpyHex("00 00 00 00 00 0f c4 75 000004b0") + delta
        b += scrcpyHex("80 00 00 01 00000780 00000438")
        b += scrcpyHex("40 00 00 00 00 00 00 00 00000019") + sps
        b += scrcpyHex("20 00 00 3c 59 88 02 40 0000c350") + late
        return (b, [
            .codec(.h264), .session(ScrcpySessionPacket(size: ScrcpyVideoSize(width: 1080, height: 2400))), .config(sps),
            .media(ScrcpyMediaPacket(isKeyFrame: true, ptsMicroseconds: 1_000_000, payload: key)),
            .media(ScrcpyMediaPacket(isKeyFrame: false, ptsMicroseconds: 1_033_333, payload: delta)),
            .session(ScrcpySessionPacket(size: ScrcpyVideoSize(width: 1920, height: 1080), clientResized: true)),
            .config(sps),
            .media(ScrcpyMediaPacket(isKeyFrame: true, ptsMicroseconds: 259_200_123_456, payload: late)),
        ])
    }

    /// An Opus audio socket (identical framing apart from the C bit).
    static func audio(_ version: ScrcpyVersion) -> (bytes: [UInt8], events: [ScrcpyStreamEvent]) {
        let packet = payload(321, 7)
        var b = scrcpyHex("6f707573")
        b += scrcpyHex(version == .v3_3_4 ? "80 00 00 00 00 00 00 00 00000013" : "40 00 00 00 00 00 00 00 00000013") + opusHead
        b += scrcpyHex("00 00 00 00 00 0f 90 60 00000141") + packet
        return (b, [.codec(.opus), .config(opusHead), .media(ScrcpyMediaPacket(isKeyFrame: false, ptsMicroseconds: 1_020_000, payload: packet))])
    }

    static var streams: [(String, ScrcpyVersion, ScrcpyStreamKind, Bool, [UInt8], [ScrcpyStreamEvent])] {
        let v3 = video334(), v4 = video41(), a3 = audio(.v3_3_4), a4 = audio(.v4_1)
        return [
            ("3.3.4 video", .v3_3_4, .video, true, v3.bytes, v3.events),
            ("4.1 video", .v4_1, .video, false, v4.bytes, v4.events),
            ("3.3.4 audio", .v3_3_4, .audio, false, a3.bytes, a3.events),
            ("4.1 audio", .v4_1, .audio, false, a4.bytes, a4.events),
        ]
    }

    @Test func wholeStreams() {
        for (name, version, kind, meta, bytes, events) in Self.streams {
            let run = scrcpyStreamRun([bytes], version: version, stream: kind, meta: meta)
            #expect(run.error == nil, "\(name)")
            #expect(run.events == events, "\(name)")
        }
    }

    @Test func oneByteAtATimeAndRandomSplitsGiveTheSameEvents() {
        var rng = ScrcpyTestRandom(seed: 0x5C2C_0001)
        for (name, version, kind, meta, bytes, events) in Self.streams {
            let single = scrcpyStreamRun(scrcpyChunks(bytes, size: 1, rng: &rng), version: version, stream: kind, meta: meta)
            #expect(single.error == nil && single.events == events, "\(name), 1 byte at a time")
            for _ in 0..<40 {
                let split = scrcpyStreamRun(scrcpyChunks(bytes, size: nil, rng: &rng), version: version, stream: kind, meta: meta)
                #expect(split.error == nil && split.events == events, "\(name), random split")
            }
        }
    }

    @Test func parserStateTracksCodecAndSize() throws {
        var p = ScrcpyStreamParser(version: .v4_1, stream: .video)
        let v4 = Self.video41().bytes
        _ = try p.parse(Array(v4.prefix(4 + 12)))
        #expect(p.codec == .h264 && p.videoSize == ScrcpyVideoSize(width: 1080, height: 2400))
        _ = try p.parse(Array(v4.dropFirst(16)))
        #expect(p.videoSize == ScrcpyVideoSize(width: 1920, height: 1080))
        try p.finish()
    }

    // MARK: Limits

    @Test func payloadCapIs16MiB() throws {
        for version in ScrcpyVersion.allCases {
            let flags = "00"  // a delta frame in both versions
            var p = ScrcpyStreamParser(version: version, stream: .audio)
            _ = try p.parse(scrcpyHex("6f707573"))
            let over = scrcpyHex("\(flags) 00 00 00 00 00 00 01 01000001")
            let tooLarge = ScrcpyProtocolError.payloadTooLarge(size: 0x100_0001, limit: 0x100_0000)
            #expect(scrcpyError { try p.parse(over) } == tooLarge)
            // Sticky: the stream is dead.
            #expect(scrcpyError { try p.parse([0]) } == tooLarge)
            #expect(scrcpyError { try p.finish() } != nil)

            // Exactly 16 MiB is accepted and delivered whole.
            var q = ScrcpyStreamParser(version: version, stream: .audio)
            #expect(try q.parse(scrcpyHex("6f707573 \(flags) 00 00 00 00 00 00 02 01000000")) == [.codec(.opus)])
            let big = [UInt8](repeating: 0xAB, count: 16 << 20)
            #expect(try q.parse(big) == [.media(ScrcpyMediaPacket(isKeyFrame: false, ptsMicroseconds: 2, payload: big))])
        }
        // A smaller cap is honoured too.
        var small = ScrcpyStreamParser(version: .v3_3_4, stream: .audio, maxPayloadSize: 100)
        #expect(scrcpyError { try small.parse(scrcpyHex("6f707573 00 00 00 00 00 00 00 01 00000065")) } == .payloadTooLarge(size: 101, limit: 100))
    }

    @Test func emptyPayloadIsRejectedInBothVersions() {
        for version in ScrcpyVersion.allCases {
            var p = ScrcpyStreamParser(version: version, stream: .audio)
            #expect(scrcpyError { try p.parse(scrcpyHex("6f707573 00 00 00 00 00 0f 90 60 00000000")) } == .emptyPayload)
            #expect(scrcpyError { try ScrcpyFrameHeader.media(keyFrame: false, ptsMicroseconds: 1, payloadSize: 0).encoded(for: version) } == .emptyPayload)
        }
    }

    @Test func truncatedInputWaitsForMore() throws {
        let (bytes, events) = Self.video334()
        var p = ScrcpyStreamParser(version: .v3_3_4, stream: .video, expectsDeviceMeta: true)
        // Cut inside every kind of item: meta, codec id, size header, frame header, payload.
        var cuts = [10, 64 + 2, 68 + 5, 76 + 7, 76 + 12 + 10]
        cuts.append(bytes.count - 1)
        var last = 0
        var seen: [ScrcpyStreamEvent] = []
        for cut in cuts {
            seen += try p.parse(Array(bytes[last..<cut]))
            last = cut
            #expect(scrcpyError { try p.finish() } != nil, "EOF at \(cut) must be an error")
        }
        #expect(seen == Array(events.dropLast()))
        #expect(scrcpyError { try p.finish() } == .unexpectedEndOfStream(item: "media packet", received: 49_999, needed: 50_000))
        seen += try p.parse([bytes.last!])
        #expect(seen == events)
        try p.finish()
    }

    @Test func endOfStreamInsideItemsNamesThem() throws {
        var p = ScrcpyStreamParser(version: .v4_1, stream: .video)
        #expect(scrcpyError { try p.finish() } == .unexpectedEndOfStream(item: "codec id", received: 0, needed: 4))
        _ = try p.parse(scrcpyHex("68323634 80 00"))
        #expect(scrcpyError { try p.finish() } == .unexpectedEndOfStream(item: "session packet", received: 2, needed: 12))
        var q = ScrcpyStreamParser(version: .v3_3_4, stream: .video)
        _ = try q.parse(scrcpyHex("68323634 000004"))
        #expect(scrcpyError { try q.finish() } == .unexpectedEndOfStream(item: "video size header", received: 3, needed: 8))
        var r = ScrcpyStreamParser(version: .v3_3_4, stream: .video, expectsDeviceMeta: true)
        _ = try r.parse([0x41])
        #expect(scrcpyError { try r.finish() } == .unexpectedEndOfStream(item: "device meta", received: 1, needed: 64))
        var s = ScrcpyStreamParser(version: .v3_3_4, stream: .audio)
        _ = try s.parse(scrcpyHex("6f707573 80 00 00"))
        #expect(scrcpyError { try s.finish() } == .unexpectedEndOfStream(item: "frame header", received: 3, needed: 12))
    }

    @Test func garbageCodecIDs() throws {
        let cases: [(ScrcpyVersion, ScrcpyStreamKind, String, ScrcpyProtocolError)] = [
            (.v3_3_4, .video, "deadbeef", .unknownCodec(id: 0xDEAD_BEEF, stream: .video, version: .v3_3_4)),
            (.v4_1, .audio, "ffffffff", .unknownCodec(id: 0xFFFF_FFFF, stream: .audio, version: .v4_1)),
            (.v4_1, .video, "6f707573", .unknownCodec(id: ScrcpyCodecID.opus.rawValue, stream: .video, version: .v4_1)),
            (.v3_3_4, .audio, "68323634", .unknownCodec(id: ScrcpyCodecID.h264.rawValue, stream: .audio, version: .v3_3_4)),
            // vp8/vp9 came with 4.x.
            (.v3_3_4, .video, "00767038", .unknownCodec(id: ScrcpyCodecID.vp8.rawValue, stream: .video, version: .v3_3_4)),
            (.v3_3_4, .video, "00000002", .unknownCodec(id: 2, stream: .video, version: .v3_3_4)),
            (.v3_3_4, .audio, "00000001", .deviceConfigurationError(stream: .audio)),
            (.v4_1, .video, "00000001", .deviceConfigurationError(stream: .video)),
        ]
        for (version, kind, dump, expected) in cases {
            var p = ScrcpyStreamParser(version: version, stream: kind)
            #expect(scrcpyError { try p.parse(scrcpyHex(dump)) } == expected, "\(version) \(kind) \(dump)")
        }
        var vp9 = ScrcpyStreamParser(version: .v4_1, stream: .video)
        #expect(try vp9.parse(scrcpyHex("00767039")) == [.codec(.vp9)])
    }

    @Test func disabledStreamEndsCleanly() throws {
        for version in ScrcpyVersion.allCases {
            var p = ScrcpyStreamParser(version: version, stream: .audio)
            #expect(try p.parse(scrcpyHex("00000000")) == [.disabled])
            #expect(p.isDisabled)
            try p.finish()
            #expect(scrcpyError { try p.parse([0]) } == .dataAfterStreamDisabled(stream: .audio))
        }
    }

    @Test func sessionPacketRules41() throws {
        // The first header after the video codec id must be a session packet.
        var p = ScrcpyStreamParser(version: .v4_1, stream: .video)
        #expect(scrcpyError { try p.parse(scrcpyHex("68323634 40 00 00 00 00 00 00 00 00000019")) } == .missingSessionPacket)
        // Zero sizes are refused.
        var q = ScrcpyStreamParser(version: .v4_1, stream: .video)
        #expect(scrcpyError { try q.parse(scrcpyHex("68323634 80 00 00 00 00000438 00000000")) } == .invalidVideoSize(width: 1080, height: 0))
        // No session packets on audio.
        var a = ScrcpyStreamParser(version: .v4_1, stream: .audio)
        #expect(scrcpyError { try a.parse(scrcpyHex("6f707573 80 00 00 00 00000438 00000960")) } == .unexpectedSessionPacket(stream: .audio))
        // 3.3.4: bit 63 is C, on audio as on video.
        var old = ScrcpyStreamParser(version: .v3_3_4, stream: .audio)
        #expect(try old.parse(scrcpyHex("6f707573 80 00 00 00 00 00 00 00 00000001 ff")) == [.codec(.opus), .config([0xFF])])
        // 3.3.4: a zero-size header is refused.
        var z = ScrcpyStreamParser(version: .v3_3_4, stream: .video)
        #expect(scrcpyError { try z.parse(scrcpyHex("68323634 00000000 00000960")) } == .invalidVideoSize(width: 0, height: 2400))
    }

    // MARK: Version differences (§10)

    @Test func sameHeaderDiffersBetweenVersions() throws {
        let key = ScrcpyFrameHeader.media(keyFrame: true, ptsMicroseconds: 1_000_000, payloadSize: 50_000)
        #expect(try key.encoded(for: .v3_3_4) != key.encoded(for: .v4_1))
        #expect(try key.ptsAndFlags(for: .v3_3_4) == 1 << 62 | 1_000_000)
        #expect(try key.ptsAndFlags(for: .v4_1) == 1 << 61 | 1_000_000)
        #expect(try ScrcpyFrameHeader.config(payloadSize: 1).ptsAndFlags(for: .v3_3_4) == 0x8000_0000_0000_0000)
        #expect(try ScrcpyFrameHeader.config(payloadSize: 1).ptsAndFlags(for: .v4_1) == 0x4000_0000_0000_0000)

        // The same 12 bytes mean different things: `40…` is a key frame in 3.3.4, config in 4.1.
        let bytes = scrcpyHex("40 00 00 00 00 0f 42 40 0000c350")
        let old = try bytes.withUnsafeBytes { try ScrcpyFrameHeader(parsing: $0, version: .v3_3_4) }
        let new = try bytes.withUnsafeBytes { try ScrcpyFrameHeader(parsing: $0, version: .v4_1) }
        #expect(old.isKeyFrame && !old.isConfig && old.ptsMicroseconds == 1_000_000)
        #expect(new.isConfig && new.ptsMicroseconds == nil && !new.isKeyFrame)
        // `80…` is config in 3.3.4 and a session packet in 4.1.
        let c = scrcpyHex("80 00 00 00 00 00 00 00 00000019")
        #expect(try c.withUnsafeBytes { try ScrcpyFrameHeader(parsing: $0, version: .v3_3_4) } == .config(payloadSize: 25))
        #expect(scrcpyError { try c.withUnsafeBytes { try ScrcpyFrameHeader(parsing: $0, version: .v4_1) } } == .unexpectedSessionPacket(stream: .video))

        // PTS range: 62 bits in 3.3.4, 61 in 4.1.
        let high = ScrcpyFrameHeader.media(keyFrame: false, ptsMicroseconds: 1 << 61, payloadSize: 1)
        #expect(try high.encoded(for: .v3_3_4) == scrcpyHex("20 00 00 00 00 00 00 00 00000001"))
        #expect(scrcpyError { try high.encoded(for: .v4_1) } == .ptsOutOfRange(1 << 61, version: .v4_1))
        #expect(ScrcpyVersion.v3_3_4.ptsMask == (1 << 62) - 1 && ScrcpyVersion.v4_1.ptsMask == (1 << 61) - 1)

        // A config packet's stray bits are ignored (reference client behaviour).
        let stray = scrcpyHex("c0 00 00 00 00 00 00 05 00000001")
        #expect(try stray.withUnsafeBytes { try ScrcpyFrameHeader(parsing: $0, version: .v3_3_4) } == .config(payloadSize: 1))
    }

    @Test func versionsFeedTheSameLogicalStreamDifferently() {
        // The 3.3.4 stream read as 4.1 fails at once (no session packet), and vice versa it misreads.
        let v3 = Self.video334()
        let as41 = scrcpyStreamRun([Array(v3.bytes.dropFirst(64))], version: .v4_1, stream: .video)
        #expect(as41.events == [.codec(.h264)] && as41.error == .missingSessionPacket)
        let v4 = Self.video41()
        let as334 = scrcpyStreamRun([v4.bytes], version: .v3_3_4, stream: .video)
        #expect(as334.error != nil)
        #expect(ScrcpyVersion.v3_3_4.hasVideoSizeHeader && !ScrcpyVersion.v3_3_4.hasSessionPackets)
        #expect(!ScrcpyVersion.v4_1.hasVideoSizeHeader && ScrcpyVersion.v4_1.hasSessionPackets)
        #expect(ScrcpyVersion.v3_3_4.streamMetaOption == "send_codec_meta" && ScrcpyVersion.v4_1.streamMetaOption == "send_stream_meta")
        #expect(ScrcpyVersion.v3_3_4.versionCode == 30304 && ScrcpyVersion.v4_1.versionCode == 40100)
    }
}
