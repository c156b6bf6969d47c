/// The 12-byte header before each media packet (scrcpy.md §5.4): `pts_and_flags u64`, `size u32`.
///
/// 3.3.4: C = bit 63, K = bit 62, PTS = bits 61...0. 4.1: bit 63 = 0 (1 is a session packet),
/// C = bit 62, K = bit 61, PTS = bits 60...0. A config packet carries no PTS; its other bits are
/// ignored, as the reference client does, so a parsed config header is always
/// `isKeyFrame == false, ptsMicroseconds == nil`.
public struct ScrcpyFrameHeader: Sendable, Hashable {
    public static let length = 12
    /// Marionette's payload cap (16 MiB): the protocol has none, and a larger size is treated as a
    /// protocol error so that one header cannot make the client allocate without bound.
    public static let maxPayloadSize = 16 << 20

    /// C: the payload is codec configuration (H.264 SPS/PPS, OpusHead, ...).
    public let isConfig: Bool
    /// K: the payload is a key frame (never set on a config packet).
    public let isKeyFrame: Bool
    /// Presentation time in microseconds on the device's monotonic clock; nil for config packets.
    public let ptsMicroseconds: UInt64?
    /// Payload length in bytes (1...cap).
    public let payloadSize: UInt32

    /// The header of a config packet.
    public static func config(payloadSize: UInt32) -> ScrcpyFrameHeader {
        ScrcpyFrameHeader(isConfig: true, isKeyFrame: false, ptsMicroseconds: nil, payloadSize: payloadSize)
    }

    /// The header of a media (frame) packet.
    public static func media(keyFrame: Bool, ptsMicroseconds: UInt64, payloadSize: UInt32) -> ScrcpyFrameHeader {
        ScrcpyFrameHeader(isConfig: false, isKeyFrame: keyFrame, ptsMicroseconds: ptsMicroseconds, payloadSize: payloadSize)
    }

    private init(isConfig: Bool, isKeyFrame: Bool, ptsMicroseconds: UInt64?, payloadSize: UInt32) {
        self.isConfig = isConfig
        self.isKeyFrame = isKeyFrame
        self.ptsMicroseconds = ptsMicroseconds
        self.payloadSize = payloadSize
    }

    /// Parses the first 12 bytes of `buffer` read from a `stream` socket. On 4.1 a session packet
    /// (bit 63) is refused here: the stream parser tells the two apart before calling this.
    public init(
        parsing buffer: UnsafeRawBufferPointer, version: ScrcpyVersion, stream: ScrcpyStreamKind = .video,
        maxPayloadSize: Int = Self.maxPayloadSize
    ) throws(ScrcpyProtocolError) {
        guard buffer.count >= Self.length else {
            throw .truncated(item: "frame header", needed: Self.length, available: buffer.count)
        }
        try self.init(
            ptsAndFlags: ScrcpyBytes.u64(buffer, 0), payloadSize: ScrcpyBytes.u32(buffer, 8), version: version,
            stream: stream, maxPayloadSize: maxPayloadSize)
    }

    /// Interprets the two header fields.
    public init(
        ptsAndFlags: UInt64, payloadSize: UInt32, version: ScrcpyVersion, stream: ScrcpyStreamKind = .video,
        maxPayloadSize: Int = Self.maxPayloadSize
    ) throws(ScrcpyProtocolError) {
        if version.hasSessionPackets && ptsAndFlags & (1 << 63) != 0 { throw .unexpectedSessionPacket(stream: stream) }
        try Self.checkPayloadSize(payloadSize, limit: maxPayloadSize)
        if ptsAndFlags & version.configFlag != 0 {
            self.init(isConfig: true, isKeyFrame: false, ptsMicroseconds: nil, payloadSize: payloadSize)
        } else {
            self.init(
                isConfig: false, isKeyFrame: ptsAndFlags & version.keyFrameFlag != 0,
                ptsMicroseconds: ptsAndFlags & version.ptsMask, payloadSize: payloadSize)
        }
    }

    static func checkPayloadSize(_ size: UInt32, limit: Int) throws(ScrcpyProtocolError) {
        guard size != 0 else { throw .emptyPayload }
        guard Int(size) <= limit else { throw .payloadTooLarge(size: size, limit: limit) }
    }

    /// The u64 `pts_and_flags` field for `version`.
    public func ptsAndFlags(for version: ScrcpyVersion) throws(ScrcpyProtocolError) -> UInt64 {
        if isConfig { return version.configFlag }
        let pts = ptsMicroseconds ?? 0
        guard pts <= version.ptsMask else { throw .ptsOutOfRange(pts, version: version) }
        return pts | (isKeyFrame ? version.keyFrameFlag : 0)
    }

    /// Appends the 12-byte header for `version`; refuses what a parser would refuse.
    public func write(to out: inout [UInt8], version: ScrcpyVersion, maxPayloadSize: Int = Self.maxPayloadSize)
        throws(ScrcpyProtocolError)
    {
        let field = try ptsAndFlags(for: version)
        try Self.checkPayloadSize(payloadSize, limit: maxPayloadSize)
        ScrcpyBytes.append(field, to: &out)
        ScrcpyBytes.append(payloadSize, to: &out)
    }

    public func encoded(for version: ScrcpyVersion) throws(ScrcpyProtocolError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.length)
        try write(to: &out, version: version)
        return out
    }
}
