/// Errors thrown while parsing untrusted RTCP data.
public enum RTCPParseError: Error, Sendable, Equatable {
    /// The buffer ends before the packet (or a field inside it) ends.
    case truncated
    /// The RTCP version field is not 2.
    case badVersion(UInt8)
    /// The P bit is set but the trailing padding count is 0 or exceeds the packet body.
    case invalidPadding
    /// The packet's declared counts/lengths are inconsistent with its size,
    /// or a reserved value was found.
    case malformed
}
