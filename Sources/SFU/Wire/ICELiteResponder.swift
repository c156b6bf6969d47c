/// The answering half of ICE for a lite agent (RFC 8445 §2.5, §7.3): validates connectivity
/// checks and produces Binding success responses. Pure state machine: no sockets, no clocks;
/// the caller passes the source address and a monotonic time with every datagram.
///
/// A lite agent is always controlled, so nomination is simply the latest authenticated check
/// carrying USE-CANDIDATE; a nominated check from a new address moves the selected pair
/// (the peer roamed, e.g. Wi-Fi to cellular).
public struct ICELiteResponder: Sendable {
    /// One set of local credentials plus the remote ufrag learned with them.
    struct Generation: Sendable {
        var credentials: ICECredentials
        var ufrag: [UInt8]
        var key: [UInt8]
        var remoteUfrag: [UInt8]?

        init(credentials: ICECredentials, remoteUfrag: String?) {
            self.credentials = credentials
            self.ufrag = Array(credentials.ufrag.utf8)
            self.key = STUNIntegrity.shortTermKey(password: credentials.password)
            self.remoteUfrag = remoteUfrag.map { Array($0.utf8) }
        }
    }

    private var current: Generation
    /// The credentials in use before `restart`, accepted until a check arrives with the new ones.
    private var previous: Generation?

    /// Where media should go: the source of the latest authenticated check with USE-CANDIDATE.
    public private(set) var selectedAddress: ICEAddress?
    /// Time (caller's monotonic nanoseconds) of the latest authenticated check, from any address.
    public private(set) var lastValidCheck: UInt64?
    /// The remote ufrag of the latest authenticated check.
    public private(set) var remoteUfrag: String?

    /// - Parameter remoteUfrag: the peer's ufrag if known from signaling; when nil it is learned
    ///   from the first authenticated check and enforced from then on.
    public init(credentials: ICECredentials, remoteUfrag: String? = nil) {
        self.current = Generation(credentials: credentials, remoteUfrag: remoteUfrag)
    }

    public init(localUfrag: String, localPassword: String, remoteUfrag: String? = nil) {
        self.init(credentials: ICECredentials(ufrag: localUfrag, password: localPassword), remoteUfrag: remoteUfrag)
    }

    /// The newest local credentials (the ones to put in the SDP).
    public var localCredentials: ICECredentials { current.credentials }

    /// The remote ufrag the newest credentials go with (from signaling, or learned).
    public var expectedRemoteUfrag: String? { current.remoteUfrag.map { String(decoding: $0, as: UTF8.self) } }

    /// True between `restart` and the first authenticated check using the new credentials.
    public var isRestartPending: Bool { previous != nil }

    /// Starts an ICE restart (RFC 8445 §9). The old credentials stay valid, and the selected
    /// pair keeps carrying media, until a check authenticated with the new ones arrives.
    /// Restarting again before that replaces the still-unused new credentials, while the
    /// credentials actually in use remain the fallback.
    public mutating func restart(newUfrag: String, newPassword: String, remoteUfrag: String? = nil) {
        if previous == nil {
            previous = current
        }
        current = Generation(
            credentials: ICECredentials(ufrag: newUfrag, password: newPassword), remoteUfrag: remoteUfrag)
    }

    /// Validates one datagram that the demultiplexer classified as STUN.
    ///
    /// Checks run cheapest first (framing, FINGERPRINT, USERNAME, then the HMAC), so junk and
    /// foreign traffic cost little. Only authenticated checks change state.
    public mutating func handle(datagram: UnsafeRawBufferPointer, from remote: ICEAddress, now: UInt64) -> ICEAction {
        let request: STUNMessage
        do {
            request = try STUNMessage(parsing: datagram)
        } catch {
            return .drop(.malformed(error))
        }
        guard request.messageClass == .request, request.method == .binding else {
            return .drop(.notBindingRequest)
        }
        guard request.fingerprint != nil else { return .drop(.missingFingerprint) }
        guard request.verifyFingerprint() else { return .drop(.badFingerprint) }
        guard let username = request.username else { return .drop(.missingUsername) }
        guard let colon = username.firstIndex(of: UInt8(ascii: ":")) else { return .drop(.unknownUsername) }
        let localPart = username[..<colon]
        let remotePart = username[(colon + 1)...]
        guard !remotePart.isEmpty else { return .drop(.unknownUsername) }

        let usesCurrent: Bool
        if localPart.elementsEqual(current.ufrag) {
            usesCurrent = true
        } else if let previous, localPart.elementsEqual(previous.ufrag) {
            usesCurrent = false
        } else {
            return .drop(.unknownUsername)
        }
        var generation = usesCurrent ? current : (previous ?? current)
        if let known = generation.remoteUfrag, !remotePart.elementsEqual(known) {
            return .drop(.remoteUfragMismatch)
        }
        guard request.messageIntegrity != nil else { return .drop(.missingMessageIntegrity) }
        guard request.verifyMessageIntegrity(key: generation.key) else { return .drop(.badMessageIntegrity) }
        if let unknown = request.unknownComprehensionRequiredType {
            return .drop(.unknownComprehensionRequiredAttribute(unknown))
        }

        // Authenticated: update state.
        if generation.remoteUfrag == nil {
            generation.remoteUfrag = Array(remotePart)
        }
        if usesCurrent {
            current = generation
            previous = nil  // the peer has switched to the new credentials: restart complete
        } else {
            previous = generation
        }
        remoteUfrag = String(decoding: remotePart, as: UTF8.self)
        lastValidCheck = now
        let nominated = request.useCandidate
        if nominated {
            selectedAddress = remote
        }

        var response = STUNMessageBuilder(
            messageClass: .success, method: .binding, transactionID: request.transactionID,
            reservingCapacity: 80)
        response.append(.xorMappedAddress(remote))
        response.appendMessageIntegrity(key: generation.key)
        response.appendFingerprint()
        return .respond(bytes: response.bytes, nominated: nominated)
    }

    /// Convenience for callers holding an array.
    public mutating func handle(datagram: [UInt8], from remote: ICEAddress, now: UInt64) -> ICEAction {
        datagram.withUnsafeBytes { handle(datagram: $0, from: remote, now: now) }
    }

    /// Consent state of the session under `policy` (RFC 7675), based on `lastValidCheck`.
    public func consent(now: UInt64, policy: ICEConsent = ICEConsent()) -> ICEConsent.State {
        policy.state(lastValidCheck: lastValidCheck, now: now)
    }
}
