/// What the transport should do with a datagram after `ICELiteResponder.handle`.
public enum ICEAction: Sendable, Equatable {
    /// Send nothing. Every failure is silent so that unauthenticated senders cannot use us to
    /// amplify traffic or to probe credentials.
    case drop(ICEDropReason)
    /// Send `bytes` (a Binding success response) back to the datagram's source. `nominated` is
    /// true when the check carried USE-CANDIDATE and the source became the selected pair.
    case respond(bytes: [UInt8], nominated: Bool)
}

/// Why a datagram was dropped; for logging and metrics only.
public enum ICEDropReason: Sendable, Hashable {
    case malformed(STUNParseError)
    /// A valid STUN message, but not a Binding request (responses, indications, other methods).
    case notBindingRequest
    case missingFingerprint
    case badFingerprint
    case missingUsername
    /// USERNAME is not `<local ufrag>:<remote ufrag>` for any currently valid local ufrag.
    case unknownUsername
    /// The local ufrag matched but the remote part differs from the remote ufrag already known.
    case remoteUfragMismatch
    case missingMessageIntegrity
    case badMessageIntegrity
    /// An authenticated request carried a comprehension-required attribute we do not know.
    case unknownComprehensionRequiredAttribute(STUNAttributeType)
}
