#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import Capture

/// The seed inputs of fuzz/corpus/scrcpy-stream and fuzz/corpus/scrcpy-device, built from the
/// vectors of scrcpy.md §8 (smaller payloads where the fuzzer's 4 KiB inputs need them). Byte 0 of
/// each seed is the selector `ScrcpyFuzzEntry` reads.
enum ScrcpySeeds {
    /// Stream selector: bit 0 version (1 = 4.1), bit 1 audio, bit 2 device meta, bits 3...7 chunk − 1.
    static func streamSelector(_ version: ScrcpyVersion, _ kind: ScrcpyStreamKind, meta: Bool, chunk: Int) -> UInt8 {
        (version == .v4_1 ? 1 : 0) | (kind == .audio ? 2 : 0) | (meta ? 4 : 0) | UInt8(chunk - 1) << 3
    }

    static func frame(_ header: ScrcpyFrameHeader, _ version: ScrcpyVersion, fill: UInt8) throws -> [UInt8] {
        try header.encoded(for: version) + [UInt8](repeating: fill, count: Int(header.payloadSize))
    }

    static let sps = ScrcpyStreamTests.sps
    static let opusHead = ScrcpyStreamTests.opusHead

    static func stream() throws -> [(name: String, bytes: [UInt8])] {
        let meta = ScrcpyDeviceMeta(deviceName: "Pixel 7").encoded
        let size = ScrcpyVideoSize(width: 1080, height: 2400)
        var sizeHeader: [UInt8] = []
        size.writeHeader(to: &sizeHeader)

        func video(_ v: ScrcpyVersion) throws -> [UInt8] {
            var b = try ScrcpyFrameHeader.config(payloadSize: 25).encoded(for: v) + sps
            b += try frame(.media(keyFrame: true, ptsMicroseconds: 1_000_000, payloadSize: 64), v, fill: 0x65)
            b += try frame(.media(keyFrame: false, ptsMicroseconds: 1_033_333, payloadSize: 32), v, fill: 0x41)
            b += try frame(.media(keyFrame: true, ptsMicroseconds: 259_200_123_456, payloadSize: 48), v, fill: 0x65)
            return b
        }
        func audio(_ v: ScrcpyVersion) throws -> [UInt8] {
            scrcpyHex("6f707573") + (try ScrcpyFrameHeader.config(payloadSize: 19).encoded(for: v)) + opusHead
                + (try frame(.media(keyFrame: false, ptsMicroseconds: 1_020_000, payloadSize: 321), v, fill: 0xFC))
        }
        let v41Sessions = scrcpyHex("68323634") + ScrcpySessionPacket(size: size).encoded + (try video(.v4_1))
            + ScrcpySessionPacket(size: ScrcpyVideoSize(width: 1920, height: 1080), clientResized: true).encoded + (try video(.v4_1))
        // The exact §8.3 headers; the stream stops inside the 50,000-byte key frame.
        let v334Vectors = scrcpyHex("68323634 00000438 00000960 80 00 00 00 00 00 00 00 00000019") + sps
            + scrcpyHex("40 00 00 00 00 0f 42 40 0000c350") + [UInt8](repeating: 0x65, count: 100)
        return [
            ("v3_3_4-video-first-socket.bin", [streamSelector(.v3_3_4, .video, meta: true, chunk: 6)] + meta + scrcpyHex("68323634") + sizeHeader + (try video(.v3_3_4))),
            ("v3_3_4-video-vectors.bin", [streamSelector(.v3_3_4, .video, meta: false, chunk: 12)] + v334Vectors),
            ("v4_1-video-sessions.bin", [streamSelector(.v4_1, .video, meta: false, chunk: 5)] + v41Sessions),
            ("v4_1-video-vp9-first-socket.bin", [streamSelector(.v4_1, .video, meta: true, chunk: 1)] + meta + scrcpyHex("00767039")
                + ScrcpySessionPacket(size: size).encoded + (try video(.v4_1))),
            ("v3_3_4-audio-opus.bin", [streamSelector(.v3_3_4, .audio, meta: false, chunk: 3)] + (try audio(.v3_3_4))),
            ("v4_1-audio-opus.bin", [streamSelector(.v4_1, .audio, meta: false, chunk: 32)] + (try audio(.v4_1))),
            ("v3_3_4-audio-disabled.bin", [streamSelector(.v3_3_4, .audio, meta: false, chunk: 2)] + scrcpyHex("00000000")),
            ("v4_1-audio-configuration-error.bin", [streamSelector(.v4_1, .audio, meta: false, chunk: 2)] + scrcpyHex("00000001")),
        ]
    }

    /// Device selector: bit 0 device meta, bits 1...7 chunk − 1.
    static func deviceSelector(meta: Bool, chunk: Int) -> UInt8 { (meta ? 1 : 0) | UInt8(chunk - 1) << 1 }

    static func device() throws -> [(name: String, bytes: [UInt8])] {
        let messages = scrcpyHex("00 00000003 414243") + scrcpyHex("01 0102030405060708") + scrcpyHex("02 002a 0005 0102030405")
        let control = ScrcpyControlMessageTests.vectors.filter { $0.bytes.count < 4096 }
        let control334 = control.filter { $0.message.type.rawValue <= 17 }.flatMap(\.bytes)
        let control41 = control.filter { $0.message.type.rawValue > 17 }.flatMap(\.bytes)
        return [
            ("device-messages.bin", [deviceSelector(meta: false, chunk: 4)] + messages),
            ("device-messages-first-socket.bin", [deviceSelector(meta: true, chunk: 7)] + ScrcpyDeviceMeta(deviceName: "Pixel 7").encoded + messages),
            ("device-clipboard-maximum-header.bin", [deviceSelector(meta: false, chunk: 64)] + scrcpyHex("00 0003fffb") + [UInt8](repeating: 0x61, count: 200)),
            ("control-3_3_4-types.bin", [deviceSelector(meta: false, chunk: 9)] + control334),
            ("control-4_1-types.bin", [deviceSelector(meta: false, chunk: 2)] + control41),
        ]
    }
}

/// Keeps fuzz/corpus/scrcpy-stream and fuzz/corpus/scrcpy-device in sync with `ScrcpySeeds` and
/// replays every file there (seeds and any saved crash inputs) through the fuzz entry points. Set
/// SCRCPY_WRITE_CORPUS=1 to (re)write the seed files.
@Suite struct ScrcpyCorpusTests {
    static var corpusRoot: String {
        let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(3).joined(separator: "/") + "/fuzz/corpus"
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4096, f) }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    static func write(_ path: String, _ bytes: [UInt8]) -> Bool {
        guard let f = fopen(path, "wb") else { return false }
        defer { fclose(f) }
        return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } == bytes.count
    }

    static func files(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    @Test func corpusMatchesSeedsAndReplays() throws {
        let writing = getenv("SCRCPY_WRITE_CORPUS") != nil
        let sets: [(String, [(name: String, bytes: [UInt8])], (UnsafeRawBufferPointer) -> Void)] = [
            ("scrcpy-stream", try ScrcpySeeds.stream(), ScrcpyFuzzEntry.stream),
            ("scrcpy-device", try ScrcpySeeds.device(), ScrcpyFuzzEntry.deviceMessages),
        ]
        for (folder, seeds, entry) in sets {
            let directory = "\(Self.corpusRoot)/\(folder)"
            if writing { mkdir(directory, 0o755) }
            for (name, bytes) in seeds {
                #expect(bytes.count <= 4096, "\(name) is longer than scripts/fuzz.sh's -max_len")
                let path = "\(directory)/\(name)"
                if writing {
                    #expect(Self.write(path, bytes), "\(path)")
                } else {
                    #expect(Self.read(path) == bytes, "\(path) differs from the seed; rerun with SCRCPY_WRITE_CORPUS=1")
                }
            }
            let onDisk = Self.files(in: directory)
            #expect(onDisk.count >= seeds.count, "\(directory)")
            for name in onDisk {
                Self.read("\(directory)/\(name)")?.withUnsafeBytes { entry($0) }
            }
        }
    }

    /// The seeds parse as the vectors say (so the fuzzer starts from deep, valid states).
    @Test func seedsAreValid() throws {
        for (name, bytes) in try ScrcpySeeds.stream() {
            let selector = bytes[0]
            let version: ScrcpyVersion = selector & 1 == 0 ? .v3_3_4 : .v4_1
            let kind: ScrcpyStreamKind = selector & 2 == 0 ? .video : .audio
            let run = scrcpyStreamRun([Array(bytes.dropFirst())], version: version, stream: kind, meta: selector & 4 != 0)
            switch name {
            case "v3_3_4-video-vectors.bin":
                #expect(run.events.count == 3)  // codec, size, config
                #expect(run.error == .unexpectedEndOfStream(item: "media packet", received: 100, needed: 50_000))
            case "v4_1-audio-configuration-error.bin":
                #expect(run.events.isEmpty && run.error == .deviceConfigurationError(stream: .audio))
            default:
                #expect(!run.events.isEmpty && run.error == nil, "\(name)")
            }
        }
        for (name, bytes) in try ScrcpySeeds.device() where name.hasPrefix("device-messages") {
            var p = ScrcpyDeviceMessageParser(expectsDeviceMeta: bytes[0] & 1 != 0)
            #expect(try p.parse(Array(bytes.dropFirst())).count >= 3, "\(name)")
            try p.finish()
        }
        for (name, bytes) in try ScrcpySeeds.device() where name.hasPrefix("control") {
            var p = ScrcpyControlMessageParser(version: name.contains("4_1") ? .v4_1 : .v3_3_4)
            #expect(try p.parse(Array(bytes.dropFirst())).count >= 5, "\(name)")
            try p.finish()
        }
    }

    static func mutate(_ seed: [UInt8], _ rng: inout ScrcpyTestRandom) -> [UInt8] {
        var b = seed
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(6) {
            case 0 where !b.isEmpty:  // flip a bit
                b[rng.below(b.count)] ^= 1 << UInt8(rng.below(8))
            case 1 where !b.isEmpty:  // an interesting byte
                b[rng.below(b.count)] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x40, 0x20][rng.below(7)]
            case 2:  // truncate
                b = Array(b.prefix(rng.below(b.count + 1)))
            case 3:  // append garbage
                b += (0..<rng.below(16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 4 where b.count > 1:  // a new selector (version, kind, chunking)
                b[0] = UInt8(truncatingIfNeeded: rng.next())
            default:  // duplicate a tail
                b += b.suffix(rng.below(b.count + 1))
            }
        }
        return b
    }

    @Test func mutatedSeedsNeverTrapAndChunkingAgrees() throws {
        var rng = ScrcpyTestRandom(seed: 0x5C2C_0005)
        let stream = try ScrcpySeeds.stream().map(\.bytes)
        let device = try ScrcpySeeds.device().map(\.bytes)
        for _ in 0..<4000 {
            Self.mutate(stream[rng.below(stream.count)], &rng).withUnsafeBytes { ScrcpyFuzzEntry.stream($0) }
            Self.mutate(device[rng.below(device.count)], &rng).withUnsafeBytes { ScrcpyFuzzEntry.deviceMessages($0) }
        }
        for _ in 0..<2000 {
            let random = (0..<rng.below(300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            random.withUnsafeBytes { ScrcpyFuzzEntry.stream($0) }
            random.withUnsafeBytes { ScrcpyFuzzEntry.deviceMessages($0) }
        }
    }
}
