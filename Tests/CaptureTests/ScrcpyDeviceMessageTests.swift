import Testing

@testable import Capture

/// Device messages (scrcpy.md §7, vectors §8.2) and the incremental `ScrcpyDeviceMessageParser`.
@Suite struct ScrcpyDeviceMessageTests {
    static let maxClipboard = String(repeating: "a", count: 262_139)

    static let vectors: [(ScrcpyDeviceMessage, [UInt8])] = [
        (.clipboard("ABC"), scrcpyHex("00 00000003 414243")),
        (.clipboard(maxClipboard), scrcpyHex("00 0003fffb") + [UInt8](repeating: 0x61, count: 262_139)),
        (.ackClipboard(sequence: 0x0102_0304_0506_0708), scrcpyHex("01 0102030405060708")),
        (.uhidOutput(id: 42, data: [1, 2, 3, 4, 5]), scrcpyHex("02 002a 0005 0102030405")),
    ]

    @Test func vectorsEncodeAndDecodeByteExactly() throws {
        #expect(Self.vectors.map(\.1.count) == [8, 262_144, 9, 10])
        for (message, bytes) in Self.vectors {
            #expect(try message.encoded() == bytes)
            let parsed = try bytes.withUnsafeBytes { try ScrcpyDeviceMessage.parse($0) }
            #expect(parsed?.message == message && parsed?.length == bytes.count)
            #expect(try bytes.dropLast().withUnsafeBytes { try ScrcpyDeviceMessage.parse($0) } == nil)
        }
    }

    @Test func limits() throws {
        // The server cuts clipboard text to 262,139 bytes (at a character boundary).
        #expect(try ScrcpyDeviceMessage.clipboard(Self.maxClipboard + "b").encoded() == Self.vectors[1].1)
        let accent = try ScrcpyDeviceMessage.clipboard(String(repeating: "a", count: 262_138) + "é").encoded()
        #expect(accent.count == 5 + 262_138)
        // A header announcing more than the 2^18-byte buffer holds is a protocol error at once.
        #expect(scrcpyError { try scrcpyHex("00 0003fffc").withUnsafeBytes { try ScrcpyDeviceMessage.parse($0) } }
            == .messageTooLarge(size: 262_145, limit: 262_144))
        var p = ScrcpyDeviceMessageParser()
        #expect(scrcpyError { try p.parse(scrcpyHex("00 ffffffff")) } == .messageTooLarge(size: 5 + 0xFFFF_FFFF, limit: 262_144))
        // Unknown types are unrecoverable and sticky.
        var q = ScrcpyDeviceMessageParser()
        #expect(try q.parse(scrcpyHex("01 0102030405060708")) == [.message(.ackClipboard(sequence: 0x0102_0304_0506_0708))])
        #expect(scrcpyError { try q.parse([0x03]) } == .unknownDeviceMessageType(3))
        #expect(scrcpyError { try q.parse(scrcpyHex("01 0102030405060708")) } == .unknownDeviceMessageType(3))
        #expect(scrcpyError { try q.finish() } == .unknownDeviceMessageType(3))
        #expect(scrcpyError { try ScrcpyDeviceMessage.uhidOutput(id: 1, data: [UInt8](repeating: 0, count: 65_536)).encoded() }
            == .valueTooLong(field: "UHID output report", length: 65_536, limit: 65_535))
        #expect(ScrcpyDeviceMessage.clipboard("").typeCode == 0 && ScrcpyDeviceMessage.uhidOutput(id: 0, data: []).typeCode == 2)
    }

    @Test func truncatedInputWaits() throws {
        var p = ScrcpyDeviceMessageParser()
        #expect(try p.parse(scrcpyHex("00 0000")) == [])
        #expect(scrcpyError { try p.finish() } == .unexpectedEndOfStream(item: "device message", received: 3, needed: 5))
        #expect(try p.parse(scrcpyHex("0003 4142")) == [])
        #expect(p.bufferedByteCount == 7)
        #expect(scrcpyError { try p.finish() } == .unexpectedEndOfStream(item: "device message", received: 7, needed: 8))
        #expect(try p.parse(scrcpyHex("43 02 002a 0005 01")) == [.message(.clipboard("ABC"))])
        #expect(try p.parse(scrcpyHex("02030405 01 0102030405060708")) == [
            .message(.uhidOutput(id: 42, data: [1, 2, 3, 4, 5])), .message(.ackClipboard(sequence: 0x0102_0304_0506_0708)),
        ])
        try p.finish()
        #expect(p.bufferedByteCount == 0)
    }

    @Test func oneByteAtATimeAndRandomSplitsGiveTheSameEvents() throws {
        var stream = ScrcpyDeviceMeta(deviceName: "Pixel 7").encoded
        var expected: [ScrcpyDeviceMessageEvent] = [.deviceMeta(ScrcpyDeviceMeta(deviceName: "Pixel 7"))]
        for (message, bytes) in Self.vectors + Self.vectors.reversed().filter({ $0.1.count < 1000 }) {
            stream += bytes
            expected.append(.message(message))
        }
        stream += try ScrcpyDeviceMessage.clipboard("").encoded() + ScrcpyDeviceMessage.uhidOutput(id: 7, data: []).encoded()
        expected += [.message(.clipboard("")), .message(.uhidOutput(id: 7, data: []))]

        var rng = ScrcpyTestRandom(seed: 0x5C2C_0003)
        for size in [1, nil, nil, nil, nil, nil, stream.count] as [Int?] {
            var p = ScrcpyDeviceMessageParser(expectsDeviceMeta: true)
            var events: [ScrcpyDeviceMessageEvent] = []
            for chunk in scrcpyChunks(stream, size: size, rng: &rng) {
                events += try p.parse(chunk)
                #expect(p.bufferedByteCount <= ScrcpyDeviceMessage.maxSize)
            }
            try p.finish()
            #expect(events == expected, "chunk \(String(describing: size))")
        }
    }

    @Test func deviceMetaFirstWhenControlIsTheOnlySocket() throws {
        var p = ScrcpyDeviceMessageParser(expectsDeviceMeta: true)
        let meta = ScrcpyDeviceMeta(deviceName: "sdk_gphone64_x86_64").encoded
        #expect(try p.parse(Array(meta.prefix(30))) == [])
        #expect(scrcpyError { try p.finish() } == .unexpectedEndOfStream(item: "device meta", received: 30, needed: 64))
        #expect(try p.parse(Array(meta.dropFirst(30)) + scrcpyHex("00 00000003 4142")) == [
            .deviceMeta(ScrcpyDeviceMeta(deviceName: "sdk_gphone64_x86_64"))
        ])
        #expect(try p.parse([0x43]) == [.message(.clipboard("ABC"))])
    }

    @Test func invalidUTF8BecomesReplacementCharacters() throws {
        var p = ScrcpyDeviceMessageParser()
        #expect(try p.parse(scrcpyHex("00 00000003 41ff43")) == [.message(.clipboard("A\u{FFFD}C"))])
    }
}
