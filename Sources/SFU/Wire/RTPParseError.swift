/// Errors thrown while parsing untrusted RTP data (RTP headers, header
/// extensions, VP8 payload descriptors, RTX payloads).
public enum RTPParseError: Error, Sendable, Equatable {
    /// The buffer ends before the structure it claims to contain.
    case truncated
    /// The RTP version field is not 2.
    case badVersion(UInt8)
    /// The P bit is set but the trailing padding count is 0 or larger than the packet body.
    case invalidPadding
    /// A structure is internally inconsistent (reserved values, impossible lengths).
    case malformed
}
