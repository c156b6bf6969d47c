/// Everything that can be wrong with scrcpy bytes, messages or server arguments. Each case says
/// what was wrong; none of them is recoverable on the stream it came from (upstream ends the
/// stream, or the whole server, on every one of them).
public enum ScrcpyProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A whole-item parse was given fewer bytes than the item needs.
    case truncated(item: String, needed: Int, available: Int)
    /// The socket ended inside an item (`received` of `needed` bytes were there).
    case unexpectedEndOfStream(item: String, received: Int, needed: Int)
    /// A codec id that is not a codec of this stream kind in this version (scrcpy.md §5.1).
    case unknownCodec(id: UInt32, stream: ScrcpyStreamKind, version: ScrcpyVersion)
    /// The device sent codec id 1: the stream could not be configured and the server exits.
    case deviceConfigurationError(stream: ScrcpyStreamKind)
    /// A size header or session packet announced a zero width or height.
    case invalidVideoSize(width: UInt32, height: UInt32)
    /// 4.1: the first header after the video codec id was not a session packet.
    case missingSessionPacket
    /// 4.1: a session packet where none may be (audio stream, or a header parsed as a frame header).
    case unexpectedSessionPacket(stream: ScrcpyStreamKind)
    /// 4.1: bytes parsed as a session packet do not have bit 63 set.
    case notASessionPacket
    /// A frame header announcing an empty payload (protocol error in 4.1; rejected in both).
    case emptyPayload
    /// A frame header announcing more than the parser's payload cap (16 MiB by default).
    case payloadTooLarge(size: UInt32, limit: Int)
    /// A PTS that does not fit below the version's flag bits (encoding only).
    case ptsOutOfRange(UInt64, version: ScrcpyVersion)
    /// Bytes after codec id 0: the device disabled the stream and must not send anything else.
    case dataAfterStreamDisabled(stream: ScrcpyStreamKind)
    /// A control message type byte that no version defines.
    case unknownControlMessageType(UInt8)
    /// A control message type the chosen version lacks: sending it would end the server.
    case controlMessageTypeUnsupported(ScrcpyControlMessageType, version: ScrcpyVersion)
    /// A device message type byte that is not 0, 1 or 2 (unrecoverable, scrcpy.md §7).
    case unknownDeviceMessageType(UInt8)
    /// A message (or its header's announced length) beyond the 2^18-byte maximum.
    case messageTooLarge(size: Int, limit: Int)
    /// A field longer than its wire length allows where truncation would change its meaning.
    case valueTooLong(field: String, length: Int, limit: Int)
    /// A server option that cannot be put on the command line.
    case invalidServerArgument(key: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let item, let needed, let available):
            "scrcpy: \(item) needs \(needed) bytes, only \(available) given"
        case .unexpectedEndOfStream(let item, let received, let needed):
            "scrcpy: the socket ended inside \(item) (\(received) of \(needed) bytes)"
        case .unknownCodec(let id, let stream, let version):
            "scrcpy: unknown \(stream) codec id 0x\(Self.hex(id)) for scrcpy \(version)"
        case .deviceConfigurationError(let stream):
            "scrcpy: the device reported a configuration error on the \(stream) stream (codec id 1); the server exits"
        case .invalidVideoSize(let width, let height):
            "scrcpy: invalid video size \(width)x\(height)"
        case .missingSessionPacket:
            "scrcpy 4.1: the first header after the video codec id is not a session packet"
        case .unexpectedSessionPacket(let stream):
            "scrcpy 4.1: unexpected session packet on the \(stream) stream"
        case .notASessionPacket:
            "scrcpy 4.1: not a session packet (bit 63 clear)"
        case .emptyPayload:
            "scrcpy: frame header announces an empty payload"
        case .payloadTooLarge(let size, let limit):
            "scrcpy: frame header announces \(size) bytes, more than the \(limit)-byte cap"
        case .ptsOutOfRange(let pts, let version):
            "scrcpy \(version): PTS \(pts) does not fit below the flag bits"
        case .dataAfterStreamDisabled(let stream):
            "scrcpy: bytes after the device disabled the \(stream) stream (codec id 0)"
        case .unknownControlMessageType(let type):
            "scrcpy: unknown control message type \(type)"
        case .controlMessageTypeUnsupported(let type, let version):
            "scrcpy \(version) has no control message \(type) (type \(type.rawValue)); sending it would end the server"
        case .unknownDeviceMessageType(let type):
            "scrcpy: unknown device message type \(type)"
        case .messageTooLarge(let size, let limit):
            "scrcpy: message of \(size) bytes exceeds the \(limit)-byte maximum"
        case .valueTooLong(let field, let length, let limit):
            "scrcpy: \(field) is \(length) bytes, at most \(limit) allowed"
        case .invalidServerArgument(let key, let value, let reason):
            "scrcpy server option \(key)=\(value): \(reason)"
        }
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}
