/// Fuzzing entry points for the scrcpy parsers (fuzz/ FuzzScrcpyStream, FuzzScrcpyDevice, and the
/// corpus replay in CaptureTests). Besides "never trap", they check the properties the parsers
/// promise: the same bytes in one chunk or in many give the same events and the same error, and
/// what is decoded re-encodes stably.
public enum ScrcpyFuzzEntry {
    /// Payload cap while fuzzing: small, so that inputs both complete packets and hit the cap.
    static let fuzzPayloadCap = 1 << 16

    /// Byte 0 selects the parser: bit 0 version (0 = 3.3.4, 1 = 4.1), bit 1 stream (0 = video,
    /// 1 = audio), bit 2 device meta first, bits 3...7 the chunk size (1...32). The rest is the
    /// socket's bytes.
    public static func stream(_ data: UnsafeRawBufferPointer) {
        guard let selector = data.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: data[1...])
        let version: ScrcpyVersion = selector & 1 == 0 ? .v3_3_4 : .v4_1
        let kind: ScrcpyStreamKind = selector & 2 == 0 ? .video : .audio
        let meta = selector & 4 != 0
        let step = Int(selector >> 3) + 1

        func run(chunk: Int) -> ([ScrcpyStreamEvent], ScrcpyProtocolError?) {
            var parser = ScrcpyStreamParser(version: version, stream: kind, expectsDeviceMeta: meta, maxPayloadSize: fuzzPayloadCap)
            var events: [ScrcpyStreamEvent] = []
            var offset = 0
            repeat {
                let end = min(body.count, offset + chunk)
                do throws(ScrcpyProtocolError) {
                    try parser.parse(UnsafeRawBufferPointer(rebasing: body[offset..<end])) { events.append($0) }
                } catch {
                    return (events, error)
                }
                offset = end
            } while offset < body.count
            do throws(ScrcpyProtocolError) { try parser.finish() } catch { return (events, error) }
            return (events, nil)
        }

        let whole = run(chunk: max(body.count, 1))
        let split = run(chunk: step)
        precondition(whole.0 == split.0 && whole.1 == split.1, "chunking changed the stream parser's result")

        for event in whole.0 {
            switch event {
            case .media(let packet):
                let header = ScrcpyFrameHeader.media(
                    keyFrame: packet.isKeyFrame, ptsMicroseconds: packet.ptsMicroseconds, payloadSize: UInt32(packet.payload.count))
                // A header the parser accepted must encode again: a trap here is a fuzz finding.
                let bytes = try! header.encoded(for: version)
                let again = bytes.withUnsafeBytes { try? ScrcpyFrameHeader(parsing: $0, version: version) }
                precondition(again == header, "frame header round trip")
            case .session(let session):
                let again = session.encoded.withUnsafeBytes { try? ScrcpySessionPacket(parsing: $0) }
                precondition(again == session, "session packet round trip")
            case .config(let bytes):
                // The Android source reads the video size from each config packet's SPS.
                if let size = H264SPSSize(annexB: bytes) { precondition(size.width > 0 && size.height > 0, "SPS size") }
            case .deviceMeta(let deviceMeta):
                // A parsed name has no NUL; it survives re-encoding unless U+FFFD made it longer than 63 bytes.
                let again = deviceMeta.encoded.withUnsafeBytes { try? ScrcpyDeviceMeta(parsing: $0) }
                precondition(deviceMeta.deviceName.utf8.count > 63 || again == deviceMeta, "device meta round trip")
            default:
                break
            }
        }
    }

    /// Byte 0 selects: bit 0 device meta first, bits 1...7 the chunk size (1...128). The rest goes
    /// through the device-message parser and, as control-socket bytes, through the control-message
    /// parser of both versions.
    public static func deviceMessages(_ data: UnsafeRawBufferPointer) {
        guard let selector = data.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: data[1...])
        let meta = selector & 1 != 0
        let step = Int(selector >> 1) + 1

        func chunks(_ size: Int, _ feed: (UnsafeRawBufferPointer) throws(ScrcpyProtocolError) -> Void) -> ScrcpyProtocolError? {
            var offset = 0
            repeat {
                let end = min(body.count, offset + size)
                do throws(ScrcpyProtocolError) {
                    try feed(UnsafeRawBufferPointer(rebasing: body[offset..<end]))
                } catch {
                    return error
                }
                offset = end
            } while offset < body.count
            return nil
        }

        func device(chunk: Int) -> ([ScrcpyDeviceMessageEvent], ScrcpyProtocolError?) {
            var parser = ScrcpyDeviceMessageParser(expectsDeviceMeta: meta)
            var events: [ScrcpyDeviceMessageEvent] = []
            let error = chunks(chunk) { (b) throws(ScrcpyProtocolError) in try parser.parse(b) { events.append($0) } }
            if let error { return (events, error) }
            do throws(ScrcpyProtocolError) { try parser.finish() } catch { return (events, error) }
            return (events, nil)
        }
        let whole = device(chunk: max(body.count, 1))
        let split = device(chunk: step)
        precondition(whole.0 == split.0 && whole.1 == split.1, "chunking changed the device-message parser's result")
        for case .message(let message) in whole.0 {
            if let bytes = try? message.encoded(), let again = bytes.withUnsafeBytes({ try? ScrcpyDeviceMessage.parse($0) }) {
                precondition(again.length == bytes.count && (try? again.message.encoded()) == bytes, "device message round trip")
            }
        }

        for version in ScrcpyVersion.allCases {
            func control(chunk: Int) -> ([ScrcpyControlMessage], ScrcpyProtocolError?) {
                var parser = ScrcpyControlMessageParser(version: version)
                var messages: [ScrcpyControlMessage] = []
                let error = chunks(chunk) { (b) throws(ScrcpyProtocolError) in try parser.parse(b) { messages.append($0) } }
                return (messages, error)
            }
            let whole = control(chunk: max(body.count, 1))
            let split = control(chunk: step)
            precondition(whole.0 == split.0 && whole.1 == split.1, "chunking changed the control-message parser's result")
            for message in whole.0 {
                // Encoding normalises (truncation, booleans as 0/1); after that it must be stable.
                guard let bytes = try? message.encoded(for: version) else { continue }
                let again = bytes.withUnsafeBytes { try? ScrcpyControlMessage.parse($0, version: version) }
                precondition(again?.length == bytes.count, "control message length")
                precondition((try? again?.message.encoded(for: version)) == bytes, "control message round trip")
            }
        }
    }
}
