import Testing

@testable import Capture

/// Control messages (scrcpy.md §6, vectors §8.1): byte-exact encoding per version, the refusal of
/// types a version lacks, the client-side limits, fixed-point encodings, and decoding (round trips,
/// incremental parser).
@Suite struct ScrcpyControlMessageTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let message: ScrcpyControlMessage
        let bytes: [UInt8]
        var testDescription: String { name }
    }

    static let hello = "68656c6c6f2c20776f726c6421"

    static let vectors: [Vector] = [
        Vector(
            name: "INJECT_KEYCODE UP ENTER repeat 5 SHIFT_ON|SHIFT_LEFT_ON",
            message: .injectKeycode(action: .up, keycode: .enter, repeatCount: 5, metaState: [.shiftOn, .shiftLeftOn]),
            bytes: scrcpyHex("00 01 00000042 00000005 00000041")),
        Vector(name: "INJECT_TEXT hello, world!", message: .injectText("hello, world!"), bytes: scrcpyHex("01 0000000d \(hello)")),
        Vector(
            name: "INJECT_TEXT 300 × a", message: .injectText(String(repeating: "a", count: 300)),
            bytes: scrcpyHex("01 0000012c") + [UInt8](repeating: 0x61, count: 300)),
        Vector(
            name: "INJECT_TOUCH_EVENT DOWN",
            message: .injectTouchEvent(
                action: .down, pointerID: ScrcpyPointerID(rawValue: 0x1234_5678_8765_4321),
                position: ScrcpyPosition(x: 100, y: 200, screenWidth: 1080, screenHeight: 1920), pressure: 1.0,
                actionButton: .primary, buttons: .primary),
            bytes: scrcpyHex("02 00 1234567887654321 00000064 000000c8 0438 0780 ffff 00000001 00000001")),
        Vector(
            name: "INJECT_SCROLL_EVENT +16/-16",
            message: .injectScrollEvent(
                position: ScrcpyPosition(x: 260, y: 1026, screenWidth: 1080, screenHeight: 1920), hScroll: 16, vScroll: -16,
                buttons: .primary),
            bytes: scrcpyHex("03 00000104 00000402 0438 0780 7fff 8000 00000001")),
        Vector(name: "BACK_OR_SCREEN_ON UP", message: .backOrScreenOn(action: .up), bytes: scrcpyHex("04 01")),
        Vector(name: "EXPAND_NOTIFICATION_PANEL", message: .expandNotificationPanel, bytes: scrcpyHex("05")),
        Vector(name: "EXPAND_SETTINGS_PANEL", message: .expandSettingsPanel, bytes: scrcpyHex("06")),
        Vector(name: "COLLAPSE_PANELS", message: .collapsePanels, bytes: scrcpyHex("07")),
        Vector(name: "GET_CLIPBOARD COPY", message: .getClipboard(copyKey: .copy), bytes: scrcpyHex("08 01")),
        Vector(
            name: "SET_CLIPBOARD paste hello", message: .setClipboard(sequence: 0x0102_0304_0506_0708, paste: true, text: "hello, world!"),
            bytes: scrcpyHex("09 0102030405060708 01 0000000d \(hello)")),
        Vector(
            name: "SET_CLIPBOARD maximum",
            message: .setClipboard(sequence: 0x0102_0304_0506_0708, paste: true, text: String(repeating: "a", count: 262_130)),
            bytes: scrcpyHex("09 0102030405060708 01 0003fff2") + [UInt8](repeating: 0x61, count: 262_130)),
        Vector(name: "SET_DISPLAY_POWER on", message: .setDisplayPower(on: true), bytes: scrcpyHex("0a 01")),
        Vector(name: "ROTATE_DEVICE", message: .rotateDevice, bytes: scrcpyHex("0b")),
        Vector(
            name: "UHID_CREATE",
            message: .uhidCreate(id: 42, vendorID: 0x1234, productID: 0x5678, name: "ABC", reportDescriptor: Array(1...11)),
            bytes: scrcpyHex("0c 002a 1234 5678 03 414243 000b 0102030405060708090a0b")),
        Vector(name: "UHID_INPUT", message: .uhidInput(id: 42, data: [1, 2, 3, 4, 5]), bytes: scrcpyHex("0d 002a 0005 0102030405")),
        Vector(name: "UHID_DESTROY", message: .uhidDestroy(id: 42), bytes: scrcpyHex("0e 002a")),
        Vector(name: "OPEN_HARD_KEYBOARD_SETTINGS", message: .openHardKeyboardSettings, bytes: scrcpyHex("0f")),
        Vector(name: "START_APP firefox", message: .startApp(name: "firefox"), bytes: scrcpyHex("10 07 66697265666f78")),
        Vector(name: "RESET_VIDEO", message: .resetVideo, bytes: scrcpyHex("11")),
        Vector(name: "CAMERA_SET_TORCH on", message: .cameraSetTorch(on: true), bytes: scrcpyHex("12 01")),
        Vector(name: "CAMERA_ZOOM_IN", message: .cameraZoomIn, bytes: scrcpyHex("13")),
        Vector(name: "CAMERA_ZOOM_OUT", message: .cameraZoomOut, bytes: scrcpyHex("14")),
        Vector(name: "RESIZE_DISPLAY 1920×1080", message: .resizeDisplay(width: 1920, height: 1080), bytes: scrcpyHex("15 0780 0438")),
        Vector(
            name: "SCAN_FILE /sdcard/Download", message: .scanFile(path: "/sdcard/Download"),
            bytes: scrcpyHex("16 00000010 2f7364636172642f446f776e6c6f6164")),
    ]

    /// The sizes scrcpy.md puts in parentheses.
    @Test func vectorSizes() {
        let sizes = [14, 18, 305, 32, 21, 2, 1, 1, 1, 2, 27, 262_144, 2, 1, 24, 10, 3, 1, 9, 1, 2, 1, 1, 5, 21]
        #expect(Self.vectors.map(\.bytes.count) == sizes)
        #expect(Self.vectors.map(\.message.type) == ScrcpyControlMessageType.allCases.flatMap { t in
            t == .injectText || t == .setClipboard ? [t, t] : [t]
        })
    }

    @Test(arguments: vectors)
    func encodesByteExactly(_ vector: Vector) throws {
        for version in ScrcpyVersion.allCases where version.supports(vector.message.type) {
            #expect(try vector.message.encoded(for: version) == vector.bytes, "\(version)")
        }
    }

    @Test(arguments: vectors)
    func decodesTheVectors(_ vector: Vector) throws {
        for version in ScrcpyVersion.allCases where version.supports(vector.message.type) {
            let parsed = try vector.bytes.withUnsafeBytes { try ScrcpyControlMessage.parse($0, version: version) }
            #expect(parsed?.message == vector.message, "\(version)")
            #expect(parsed?.length == vector.bytes.count, "\(version)")
            // A strict prefix is incomplete, not an error.
            let partial = try vector.bytes.dropLast().withUnsafeBytes { try ScrcpyControlMessage.parse($0, version: version) }
            #expect(partial == nil)
        }
    }

    // MARK: Versions

    @Test func typesOf41AreRefusedOn334() throws {
        let only41: [ScrcpyControlMessage] = [
            .cameraSetTorch(on: true), .cameraZoomIn, .cameraZoomOut, .resizeDisplay(width: 1920, height: 1080),
            .scanFile(path: "/sdcard/Download"),
        ]
        for message in only41 {
            var out: [UInt8] = [0xAA]
            #expect(scrcpyError { try message.write(to: &out, version: .v3_3_4) } == .controlMessageTypeUnsupported(message.type, version: .v3_3_4))
            #expect(out == [0xAA], "nothing appended")
            #expect(try !message.encoded(for: .v4_1).isEmpty)
            #expect(message.type.minimumVersion == .v4_1)
        }
        #expect(ScrcpyControlMessageType.allCases.filter { ScrcpyVersion.v3_3_4.supports($0) }.map(\.rawValue) == Array(0...17))
        #expect(ScrcpyControlMessageType.allCases.filter { ScrcpyVersion.v4_1.supports($0) }.map(\.rawValue) == Array(0...22))
        // Layouts of 0...17 are identical in both versions.
        for vector in Self.vectors where vector.message.type.rawValue <= 17 {
            #expect(try vector.message.encoded(for: .v3_3_4) == vector.message.encoded(for: .v4_1))
        }
    }

    @Test func decoderRefusesWhatTheServerWouldDieOn() {
        // 3.3.4 ends on 18...22; both end on an unknown type.
        for type: UInt8 in 18...22 {
            #expect(scrcpyError { try [type, 1, 2, 3, 4].withUnsafeBytes { try ScrcpyControlMessage.parse($0, version: .v3_3_4) } }
                == .controlMessageTypeUnsupported(ScrcpyControlMessageType(rawValue: type)!, version: .v3_3_4))
        }
        for type: UInt8 in [23, 100, 255] {
            for version in ScrcpyVersion.allCases {
                #expect(scrcpyError { try [type].withUnsafeBytes { try ScrcpyControlMessage.parse($0, version: version) } } == .unknownControlMessageType(type))
            }
        }
        // A length beyond the 2^18 maximum.
        #expect(scrcpyError { try scrcpyHex("01 0003fffc").withUnsafeBytes { try ScrcpyControlMessage.parse($0, version: .v4_1) } }
            == .messageTooLarge(size: 262_145, limit: 262_144))
    }

    // MARK: Limits

    @Test func textIsCutAtCharacterBoundaries() throws {
        // 301 × a → 300.
        let long = try ScrcpyControlMessage.injectText(String(repeating: "a", count: 301)).encoded(for: .v3_3_4)
        #expect(long == scrcpyHex("01 0000012c") + [UInt8](repeating: 0x61, count: 300))
        // 299 × a + "é" (2 bytes) would be 301: the é goes entirely.
        let accent = try ScrcpyControlMessage.injectText(String(repeating: "a", count: 299) + "é").encoded(for: .v3_3_4)
        #expect(accent == scrcpyHex("01 0000012b") + [UInt8](repeating: 0x61, count: 299))
        // 298 × a + "€" (3 bytes) = 301: cut to 298.
        let euro = try ScrcpyControlMessage.injectText(String(repeating: "a", count: 298) + "€").encoded(for: .v4_1)
        #expect(euro.count == 5 + 298)
        // Clipboard: 262,131 → 262,130, the maximum message.
        let clip = try ScrcpyControlMessage.setClipboard(sequence: 0x0102_0304_0506_0708, paste: true, text: String(repeating: "a", count: 262_131))
            .encoded(for: .v3_3_4)
        #expect(clip.count == ScrcpyControlMessage.maxSize && clip == Self.vectors[11].bytes)
        // UHID name: 127 bytes at most.
        let uhid = try ScrcpyControlMessage.uhidCreate(id: 1, vendorID: 2, productID: 3, name: String(repeating: "n", count: 200), reportDescriptor: [])
            .encoded(for: .v3_3_4)
        #expect(uhid.count == 10 + 127 && uhid[7] == 127)
    }

    @Test func fieldsThatCannotBeCutAreRefused() {
        #expect(scrcpyError { try ScrcpyControlMessage.startApp(name: String(repeating: "p", count: 256)).encoded(for: .v3_3_4) }
            == .valueTooLong(field: "START_APP name", length: 256, limit: 255))
        #expect((try? ScrcpyControlMessage.startApp(name: String(repeating: "p", count: 255)).encoded(for: .v3_3_4))?.count == 257)
        #expect(scrcpyError { try ScrcpyControlMessage.scanFile(path: "/" + String(repeating: "d", count: 256)).encoded(for: .v4_1) }
            == .valueTooLong(field: "SCAN_FILE path", length: 257, limit: 256))
        #expect(scrcpyError { try ScrcpyControlMessage.uhidInput(id: 1, data: [UInt8](repeating: 0, count: 65_536)).encoded(for: .v4_1) }
            == .valueTooLong(field: "UHID input report", length: 65_536, limit: 65_535))
        var out: [UInt8] = []
        #expect(scrcpyError {
            try ScrcpyControlMessage.uhidCreate(id: 1, vendorID: 2, productID: 3, name: "x", reportDescriptor: [UInt8](repeating: 0, count: 70_000))
                .write(to: &out, version: .v3_3_4)
        } == .valueTooLong(field: "UHID report descriptor", length: 70_000, limit: 65_535))
        #expect(out.isEmpty, "a refused message leaves the buffer as it was")
    }

    // MARK: Fixed point (§6.4)

    @Test func pressureEncoding() {
        let cases: [(Float, UInt16)] = [(0, 0x0000), (0.25, 0x4000), (0.5, 0x8000), (1.0, 0xFFFF), (0.99999, 0xFFFF), (2, 0xFFFF), (-1, 0), (.nan, 0)]
        for (p, u) in cases {
            #expect(ScrcpyFixedPoint.encodePressure(p) == u, "\(p)")
        }
        #expect(ScrcpyFixedPoint.decodePressure(0xFFFF) == 1 && ScrcpyFixedPoint.decodePressure(0x8000) == 0.5)
        for u in stride(from: 0, through: 0xFFFF, by: 257) {
            #expect(ScrcpyFixedPoint.encodePressure(ScrcpyFixedPoint.decodePressure(UInt16(u))) == UInt16(u))
        }
    }

    @Test func scrollEncoding() {
        let cases: [(Float, UInt16)] = [
            (1, 0x0800), (-1, 0xF800), (0.5, 0x0400), (2.5, 0x1400), (16, 0x7FFF), (-16, 0x8000), (100, 0x7FFF),
            (-100, 0x8000), (0, 0), (.nan, 0), (.infinity, 0x7FFF),
        ]
        for (v, i) in cases {
            #expect(UInt16(bitPattern: ScrcpyFixedPoint.encodeScroll(v)) == i, "\(v)")
        }
        #expect(ScrcpyFixedPoint.decodeScroll(0x7FFF) == 16 && ScrcpyFixedPoint.decodeScroll(-0x8000) == -16)
        #expect(ScrcpyFixedPoint.decodeScroll(0x0800) == 1)
        for i in stride(from: -0x8000, through: 0x7FFF, by: 97) {
            #expect(ScrcpyFixedPoint.encodeScroll(ScrcpyFixedPoint.decodeScroll(Int16(i))) == Int16(i))
        }
    }

    // MARK: Round trips and the incremental parser

    @Test func roundTripsThroughTheParserInAnySplit() throws {
        var rng = ScrcpyTestRandom(seed: 0x5C2C_0002)
        for version in ScrcpyVersion.allCases {
            let messages = Self.vectors.map(\.message).filter { version.supports($0.type) } + [
                .injectTouchEvent(
                    action: .hoverMove, pointerID: .mouse, position: ScrcpyPosition(x: -5, y: 70_000, screenWidth: 1, screenHeight: 65_535),
                    pressure: 0.25, actionButton: [], buttons: [.secondary, .forward]),
                .injectScrollEvent(position: ScrcpyPosition(x: 0, y: 0, screenWidth: 1080, screenHeight: 2400), hScroll: 2.5, vScroll: -1, buttons: []),
                .setClipboard(sequence: 0, paste: false, text: "héllo ✓ 😀"), .injectText(""), .startApp(name: "+?Firefox"),
                .uhidCreate(id: 0, vendorID: 0, productID: 0, name: "", reportDescriptor: []), .getClipboard(copyKey: .cut),
                .setDisplayPower(on: false), .injectKeycode(action: .down, keycode: .appSwitch, repeatCount: 0, metaState: []),
            ]
            var stream: [UInt8] = []
            for m in messages { try m.write(to: &stream, version: version) }
            for size in [nil, 1, 7, stream.count] as [Int?] {
                var parser = ScrcpyControlMessageParser(version: version)
                var decoded: [ScrcpyControlMessage] = []
                for chunk in scrcpyChunks(stream, size: size, rng: &rng) { decoded += try parser.parse(chunk) }
                try parser.finish()
                #expect(decoded == messages, "\(version), chunk \(String(describing: size))")
                #expect(parser.bufferedByteCount == 0)
            }
        }
    }

    @Test func controlParserWaitsAndFails() throws {
        var p = ScrcpyControlMessageParser(version: .v3_3_4)
        #expect(try p.parse(scrcpyHex("09 0102030405060708 01 0000000d 68656c")) == [])
        #expect(scrcpyError { try p.finish() } == .unexpectedEndOfStream(item: "control message", received: 17, needed: 27))
        #expect(try p.parse(scrcpyHex("6c6f2c20776f726c6421 0b")) == [
            .setClipboard(sequence: 0x0102_0304_0506_0708, paste: true, text: "hello, world!"), .rotateDevice,
        ])
        #expect(scrcpyError { try p.parse([0x12, 0x01]) } == .controlMessageTypeUnsupported(.cameraSetTorch, version: .v3_3_4))
        #expect(scrcpyError { try p.parse([0x0b]) } == .controlMessageTypeUnsupported(.cameraSetTorch, version: .v3_3_4), "sticky")
    }

    @Test func droppableTypes() {
        for vector in Self.vectors {
            let expected = vector.message.type != .uhidCreate && vector.message.type != .uhidDestroy
            #expect(vector.message.isDroppable == expected, "\(vector.name)")
        }
    }

    @Test func androidConstants() {
        #expect(ScrcpyKeycode.digit(0)?.rawValue == 7 && ScrcpyKeycode.digit(9)?.rawValue == 16 && ScrcpyKeycode.digit(10) == nil)
        #expect(ScrcpyKeycode.letter("a")?.rawValue == 29 && ScrcpyKeycode.letter("Z")?.rawValue == 54 && ScrcpyKeycode.letter("é") == nil)
        #expect(ScrcpyKeycode.function(1)?.rawValue == 131 && ScrcpyKeycode.function(12)?.rawValue == 142)
        #expect(ScrcpyKeycode.home.rawValue == 3 && ScrcpyKeycode.appSwitch.rawValue == 187 && ScrcpyKeycode.power.rawValue == 26)
        #expect(ScrcpyPointerID.mouse.rawValue == 0xFFFF_FFFF_FFFF_FFFF && ScrcpyPointerID.genericFinger.rawValue == 0xFFFF_FFFF_FFFF_FFFE)
        #expect(ScrcpyPointerID.virtualFinger.rawValue == 0xFFFF_FFFF_FFFF_FFFD)
        #expect(ScrcpyMotionAction.hoverMove.rawValue == 7 && ScrcpyMotionButtons.forward.rawValue == 0x10)
        #expect(ScrcpyMetaState.scrollLockOn.rawValue == 0x400000 && ScrcpyMetaState.ctrlLeftOn.rawValue == 0x2000)
    }
}
