/// A control message (client → device on the control socket), scrcpy.md §6. Encoded byte for byte
/// as the reference client does, and decoded as the server reads it (for the device simulator and
/// round trips).
///
/// Limits: INJECT_TEXT is cut to 300 bytes, SET_CLIPBOARD to 262,130 bytes and the UHID device name
/// to 127 bytes, at a UTF-8 character boundary, as upstream does. START_APP (255 bytes) and
/// SCAN_FILE (256 bytes) are refused when longer instead of cut: a shortened package name or path
/// names a different app or file. HID descriptors and reports are refused above 65,535 bytes (u16).
public enum ScrcpyControlMessage: Sendable, Equatable {
    case injectKeycode(action: ScrcpyKeyAction, keycode: ScrcpyKeycode, repeatCount: UInt32, metaState: ScrcpyMetaState)
    /// Typed through the virtual keyboard's key map: effectively ASCII (use SET_CLIPBOARD + paste
    /// for other text).
    case injectText(String)
    /// `pressure` in [0, 1].
    case injectTouchEvent(
        action: ScrcpyMotionAction, pointerID: ScrcpyPointerID, position: ScrcpyPosition, pressure: Float,
        actionButton: ScrcpyMotionButtons, buttons: ScrcpyMotionButtons)
    /// Scroll amounts in wheel notches, [-16, 16]; positive vertical = content scrolls up.
    case injectScrollEvent(position: ScrcpyPosition, hScroll: Float, vScroll: Float, buttons: ScrcpyMotionButtons)
    /// BACK if the screen is on, POWER if off. Send a DOWN and an UP.
    case backOrScreenOn(action: ScrcpyKeyAction)
    case expandNotificationPanel
    case expandSettingsPanel
    case collapsePanels
    case getClipboard(copyKey: ScrcpyCopyKey)
    /// `sequence` 0 asks for no ACK_CLIPBOARD; `paste` also presses PASTE (Android ≥ 7).
    case setClipboard(sequence: UInt64, paste: Bool, text: String)
    case setDisplayPower(on: Bool)
    case rotateDevice
    case uhidCreate(id: UInt16, vendorID: UInt16, productID: UInt16, name: String, reportDescriptor: [UInt8])
    case uhidInput(id: UInt16, data: [UInt8])
    case uhidDestroy(id: UInt16)
    case openHardKeyboardSettings
    /// A package name, or `?label`; a leading `+` force-stops the app first.
    case startApp(name: String)
    /// Restarts capture and encoder: config + key frame follow (4.1: after a new session packet).
    case resetVideo
    /// 4.1 only.
    case cameraSetTorch(on: Bool)
    /// 4.1 only.
    case cameraZoomIn
    /// 4.1 only.
    case cameraZoomOut
    /// 4.1 only; needs a flex `new_display`, otherwise it ends the server.
    case resizeDisplay(width: UInt16, height: UInt16)
    /// 4.1 only.
    case scanFile(path: String)

    /// Largest serialized message (2^18 bytes).
    public static let maxSize = 1 << 18
    public static let injectTextMaxLength = 300
    /// 2^18 − 14.
    public static let clipboardTextMaxLength = maxSize - 14
    public static let uhidNameMaxLength = 127
    public static let startAppNameMaxLength = 255
    public static let scanFilePathMaxLength = 256

    public var type: ScrcpyControlMessageType {
        switch self {
        case .injectKeycode: .injectKeycode
        case .injectText: .injectText
        case .injectTouchEvent: .injectTouchEvent
        case .injectScrollEvent: .injectScrollEvent
        case .backOrScreenOn: .backOrScreenOn
        case .expandNotificationPanel: .expandNotificationPanel
        case .expandSettingsPanel: .expandSettingsPanel
        case .collapsePanels: .collapsePanels
        case .getClipboard: .getClipboard
        case .setClipboard: .setClipboard
        case .setDisplayPower: .setDisplayPower
        case .rotateDevice: .rotateDevice
        case .uhidCreate: .uhidCreate
        case .uhidInput: .uhidInput
        case .uhidDestroy: .uhidDestroy
        case .openHardKeyboardSettings: .openHardKeyboardSettings
        case .startApp: .startApp
        case .resetVideo: .resetVideo
        case .cameraSetTorch: .cameraSetTorch
        case .cameraZoomIn: .cameraZoomIn
        case .cameraZoomOut: .cameraZoomOut
        case .resizeDisplay: .resizeDisplay
        case .scanFile: .scanFile
        }
    }

    /// Whether a full outgoing queue may drop this message (scrcpy.md §6.6): all but UHID_CREATE and
    /// UHID_DESTROY, whose loss would leave the device's HID state wrong.
    public var isDroppable: Bool { type != .uhidCreate && type != .uhidDestroy }

    // MARK: Encoding

    /// Appends the message as `version`'s server reads it. Throws, appending nothing, for a type the
    /// version lacks (it would end the server) or a field that cannot be encoded.
    public func write(to out: inout [UInt8], version: ScrcpyVersion) throws(ScrcpyProtocolError) {
        guard version.supports(type) else { throw .controlMessageTypeUnsupported(type, version: version) }
        let start = out.count
        do throws(ScrcpyProtocolError) {
            try writeBody(to: &out)
        } catch {
            out.removeLast(out.count - start)
            throw error
        }
    }

    /// The message's bytes for `version`.
    public func encoded(for version: ScrcpyVersion) throws(ScrcpyProtocolError) -> [UInt8] {
        var out: [UInt8] = []
        try write(to: &out, version: version)
        return out
    }

    private func writeBody(to out: inout [UInt8]) throws(ScrcpyProtocolError) {
        out.append(type.rawValue)
        switch self {
        case .injectKeycode(let action, let keycode, let repeatCount, let metaState):
            out.append(action.rawValue)
            ScrcpyBytes.append(keycode.rawValue, to: &out)
            ScrcpyBytes.append(repeatCount, to: &out)
            ScrcpyBytes.append(metaState.rawValue, to: &out)
        case .injectText(let text):
            Self.appendString(text, lengthBytes: 4, truncatingTo: Self.injectTextMaxLength, to: &out)
        case .injectTouchEvent(let action, let pointerID, let position, let pressure, let actionButton, let buttons):
            out.append(action.rawValue)
            ScrcpyBytes.append(pointerID.rawValue, to: &out)
            position.write(to: &out)
            ScrcpyBytes.append(ScrcpyFixedPoint.encodePressure(pressure), to: &out)
            ScrcpyBytes.append(actionButton.rawValue, to: &out)
            ScrcpyBytes.append(buttons.rawValue, to: &out)
        case .injectScrollEvent(let position, let hScroll, let vScroll, let buttons):
            position.write(to: &out)
            ScrcpyBytes.append(UInt16(bitPattern: ScrcpyFixedPoint.encodeScroll(hScroll)), to: &out)
            ScrcpyBytes.append(UInt16(bitPattern: ScrcpyFixedPoint.encodeScroll(vScroll)), to: &out)
            ScrcpyBytes.append(buttons.rawValue, to: &out)
        case .backOrScreenOn(let action):
            out.append(action.rawValue)
        case .getClipboard(let copyKey):
            out.append(copyKey.rawValue)
        case .setClipboard(let sequence, let paste, let text):
            ScrcpyBytes.append(sequence, to: &out)
            out.append(paste ? 1 : 0)
            Self.appendString(text, lengthBytes: 4, truncatingTo: Self.clipboardTextMaxLength, to: &out)
        case .setDisplayPower(let on), .cameraSetTorch(let on):
            out.append(on ? 1 : 0)
        case .uhidCreate(let id, let vendorID, let productID, let name, let reportDescriptor):
            ScrcpyBytes.append(id, to: &out)
            ScrcpyBytes.append(vendorID, to: &out)
            ScrcpyBytes.append(productID, to: &out)
            Self.appendString(name, lengthBytes: 1, truncatingTo: Self.uhidNameMaxLength, to: &out)
            try Self.appendBlob(reportDescriptor, field: "UHID report descriptor", to: &out)
        case .uhidInput(let id, let data):
            ScrcpyBytes.append(id, to: &out)
            try Self.appendBlob(data, field: "UHID input report", to: &out)
        case .uhidDestroy(let id):
            ScrcpyBytes.append(id, to: &out)
        case .startApp(let name):
            try Self.appendString(name, lengthBytes: 1, refusingAbove: Self.startAppNameMaxLength, field: "START_APP name", to: &out)
        case .resizeDisplay(let width, let height):
            ScrcpyBytes.append(width, to: &out)
            ScrcpyBytes.append(height, to: &out)
        case .scanFile(let path):
            try Self.appendString(path, lengthBytes: 4, refusingAbove: Self.scanFilePathMaxLength, field: "SCAN_FILE path", to: &out)
        case .expandNotificationPanel, .expandSettingsPanel, .collapsePanels, .rotateDevice, .openHardKeyboardSettings,
            .resetVideo, .cameraZoomIn, .cameraZoomOut:
            break
        }
    }

    private static func appendLength(_ n: Int, bytes: Int, to out: inout [UInt8]) {
        switch bytes {
        case 1: out.append(UInt8(n))
        case 2: ScrcpyBytes.append(UInt16(n), to: &out)
        default: ScrcpyBytes.append(UInt32(n), to: &out)
        }
    }

    private static func appendString(_ text: String, lengthBytes: Int, truncatingTo max: Int, to out: inout [UInt8]) {
        ScrcpyBytes.withUTF8(text) { utf8 in
            let n = ScrcpyBytes.utf8TruncationLength(utf8, maxBytes: max)
            appendLength(n, bytes: lengthBytes, to: &out)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[0..<n]))
        }
    }

    private static func appendString(
        _ text: String, lengthBytes: Int, refusingAbove max: Int, field: String, to out: inout [UInt8]
    ) throws(ScrcpyProtocolError) {
        let n = text.utf8.count
        guard n <= max else { throw .valueTooLong(field: field, length: n, limit: max) }
        appendString(text, lengthBytes: lengthBytes, truncatingTo: max, to: &out)
    }

    private static func appendBlob(_ data: [UInt8], field: String, to out: inout [UInt8]) throws(ScrcpyProtocolError) {
        guard data.count <= Int(UInt16.max) else {
            throw .valueTooLong(field: field, length: data.count, limit: Int(UInt16.max))
        }
        ScrcpyBytes.append(UInt16(data.count), to: &out)
        out.append(contentsOf: data)
    }

    // MARK: Decoding (device side)

    /// How many bytes the message starting at `prefix` needs, as far as `prefix` tells: when its
    /// length fields are incomplete, the bytes needed to read them (always more than
    /// `prefix.count`); otherwise the whole message's length. Throws for a type `version` lacks and
    /// for a message beyond 2^18 bytes.
    public static func requiredLength(_ prefix: UnsafeRawBufferPointer, version: ScrcpyVersion) throws(ScrcpyProtocolError) -> Int {
        guard let first = prefix.first else { return 1 }
        guard let type = ScrcpyControlMessageType(rawValue: first) else { throw .unknownControlMessageType(first) }
        guard version.supports(type) else { throw .controlMessageTypeUnsupported(type, version: version) }
        let n = prefix.count
        let total: Int
        switch type {
        case .injectKeycode: total = 14
        case .injectTouchEvent: total = 32
        case .injectScrollEvent: total = 21
        case .backOrScreenOn, .getClipboard, .setDisplayPower, .cameraSetTorch: total = 2
        case .uhidDestroy: total = 3
        case .resizeDisplay: total = 5
        case .expandNotificationPanel, .expandSettingsPanel, .collapsePanels, .rotateDevice, .openHardKeyboardSettings,
            .resetVideo, .cameraZoomIn, .cameraZoomOut:
            total = 1
        case .injectText, .scanFile:
            guard n >= 5 else { return 5 }
            total = 5 + Int(ScrcpyBytes.u32(prefix, 1))
        case .setClipboard:
            guard n >= 14 else { return 14 }
            total = 14 + Int(ScrcpyBytes.u32(prefix, 10))
        case .uhidInput:
            guard n >= 5 else { return 5 }
            total = 5 + Int(ScrcpyBytes.u16(prefix, 3))
        case .startApp:
            guard n >= 2 else { return 2 }
            total = 2 + Int(prefix[1])
        case .uhidCreate:
            guard n >= 8 else { return 8 }
            let m = Int(prefix[7])
            guard n >= 10 + m else { return 10 + m }
            total = 10 + m + Int(ScrcpyBytes.u16(prefix, 8 + m))
        }
        guard total <= maxSize else { throw .messageTooLarge(size: total, limit: maxSize) }
        return total
    }

    /// Parses the message at the start of `buffer`: the message and its length, or nil when
    /// `buffer` holds only part of it.
    public static func parse(
        _ buffer: UnsafeRawBufferPointer, version: ScrcpyVersion
    ) throws(ScrcpyProtocolError) -> (message: ScrcpyControlMessage, length: Int)? {
        let need = try requiredLength(buffer, version: version)
        guard buffer.count >= need else { return nil }
        return (decode(UnsafeRawBufferPointer(rebasing: buffer[0..<need])), need)
    }

    /// Decodes one complete message whose length `requiredLength` validated.
    static func decode(_ b: UnsafeRawBufferPointer) -> ScrcpyControlMessage {
        func string(_ offset: Int, _ count: Int) -> String {
            ScrcpyBytes.string(UnsafeRawBufferPointer(rebasing: b[offset..<(offset + count)]))
        }
        func bytes(_ offset: Int, _ count: Int) -> [UInt8] { Array(b[offset..<(offset + count)]) }

        switch ScrcpyControlMessageType(rawValue: b[0])! {
        case .injectKeycode:
            return .injectKeycode(
                action: ScrcpyKeyAction(rawValue: b[1]), keycode: ScrcpyKeycode(rawValue: ScrcpyBytes.u32(b, 2)),
                repeatCount: ScrcpyBytes.u32(b, 6), metaState: ScrcpyMetaState(rawValue: ScrcpyBytes.u32(b, 10)))
        case .injectText:
            return .injectText(string(5, b.count - 5))
        case .injectTouchEvent:
            return .injectTouchEvent(
                action: ScrcpyMotionAction(rawValue: b[1]), pointerID: ScrcpyPointerID(rawValue: ScrcpyBytes.u64(b, 2)),
                position: ScrcpyPosition(reading: b, at: 10),
                pressure: ScrcpyFixedPoint.decodePressure(ScrcpyBytes.u16(b, 22)),
                actionButton: ScrcpyMotionButtons(rawValue: ScrcpyBytes.u32(b, 24)),
                buttons: ScrcpyMotionButtons(rawValue: ScrcpyBytes.u32(b, 28)))
        case .injectScrollEvent:
            return .injectScrollEvent(
                position: ScrcpyPosition(reading: b, at: 1),
                hScroll: ScrcpyFixedPoint.decodeScroll(Int16(bitPattern: ScrcpyBytes.u16(b, 13))),
                vScroll: ScrcpyFixedPoint.decodeScroll(Int16(bitPattern: ScrcpyBytes.u16(b, 15))),
                buttons: ScrcpyMotionButtons(rawValue: ScrcpyBytes.u32(b, 17)))
        case .backOrScreenOn:
            return .backOrScreenOn(action: ScrcpyKeyAction(rawValue: b[1]))
        case .expandNotificationPanel: return .expandNotificationPanel
        case .expandSettingsPanel: return .expandSettingsPanel
        case .collapsePanels: return .collapsePanels
        case .getClipboard:
            return .getClipboard(copyKey: ScrcpyCopyKey(rawValue: b[1]))
        case .setClipboard:
            return .setClipboard(sequence: ScrcpyBytes.u64(b, 1), paste: b[9] != 0, text: string(14, b.count - 14))
        case .setDisplayPower:
            return .setDisplayPower(on: b[1] != 0)
        case .rotateDevice: return .rotateDevice
        case .uhidCreate:
            let m = Int(b[7])
            return .uhidCreate(
                id: ScrcpyBytes.u16(b, 1), vendorID: ScrcpyBytes.u16(b, 3), productID: ScrcpyBytes.u16(b, 5),
                name: string(8, m), reportDescriptor: bytes(10 + m, b.count - 10 - m))
        case .uhidInput:
            return .uhidInput(id: ScrcpyBytes.u16(b, 1), data: bytes(5, b.count - 5))
        case .uhidDestroy:
            return .uhidDestroy(id: ScrcpyBytes.u16(b, 1))
        case .openHardKeyboardSettings: return .openHardKeyboardSettings
        case .startApp:
            return .startApp(name: string(2, b.count - 2))
        case .resetVideo: return .resetVideo
        case .cameraSetTorch:
            return .cameraSetTorch(on: b[1] != 0)
        case .cameraZoomIn: return .cameraZoomIn
        case .cameraZoomOut: return .cameraZoomOut
        case .resizeDisplay:
            return .resizeDisplay(width: ScrcpyBytes.u16(b, 1), height: ScrcpyBytes.u16(b, 3))
        case .scanFile:
            return .scanFile(path: string(5, b.count - 5))
        }
    }
}
