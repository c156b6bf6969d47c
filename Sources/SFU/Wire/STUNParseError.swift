/// Why a datagram could not be parsed as a STUN message (RFC 8489 §5, §14).
///
/// Parsing never traps: every malformed input maps to one of these cases.
public enum STUNParseError: Error, Sendable, Hashable {
    /// Fewer than 20 header bytes, or fewer bytes than the header's length field announces.
    case truncated
    /// The two most significant bits of the first byte are not zero, so this is not STUN.
    case notSTUN
    /// The magic cookie is not 0x2112A442 (classic RFC 3489 STUN is not supported).
    case badMagicCookie
    /// The message length is not a multiple of 4; STUN attributes are always 32-bit aligned.
    case lengthNotMultipleOfFour
    /// The datagram holds bytes after the message; a UDP datagram carries exactly one message.
    case trailingBytes
    /// An attribute (value plus padding) runs past the end of the message.
    case attributeOverrun(type: UInt16)
    /// A known attribute has a value of the wrong size or with invalid fields.
    case malformedAttribute(type: UInt16)
    /// An attribute follows FINGERPRINT, which RFC 8489 §14.7 requires to be last.
    case attributeAfterFingerprint
}
