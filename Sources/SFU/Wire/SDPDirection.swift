/// Media direction attribute (RFC 8866 §6.7) as seen by the side that wrote it.
public enum SDPDirection: String, Sendable, Hashable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    /// The direction the other side answers with (`sendonly` ↔ `recvonly`).
    public var reversed: SDPDirection {
        switch self {
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        case .sendrecv, .inactive: return self
        }
    }

    /// Whether the writer of this direction sends media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// Whether the writer of this direction receives media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute(rawValue) }
}
