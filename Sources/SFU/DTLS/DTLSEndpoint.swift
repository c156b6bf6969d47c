import CShims
import COpenSSL

/// One peer's DTLS 1.2 association over datagrams the caller moves (ICE decides where they go).
/// Not thread-safe by design: it lives on its peer's event loop, like the rest of the packet path.
///
/// Feed received DTLS datagrams with ``receive(_:)``, send what ``popDatagram(into:)`` yields after
/// every call, and call ``handleTimeout()`` when ``retransmitDelayMilliseconds`` has passed (OpenSSL
/// retransmits a flight after 1 s, doubling). The handshake result is ``state``.
public final class DTLSEndpoint {
    public enum Role: Sendable, Equatable {
        /// `a=setup:passive` in our answer: we accept.
        case server
        /// `a=setup:active`: we connect.
        case client
    }

    public enum State: Sendable, Equatable {
        case handshaking
        case connected(SRTPKeys)
        case failed(DTLSError)
        case closed
    }

    public let role: Role
    public private(set) var state: State = .handshaking
    private let ssl: OpaquePointer
    private let expectedFingerprint: [UInt8]
    private let context: DTLSContext  // keeps the SSL_CTX alive as long as the SSL

    /// `expectedFingerprint`: the SHA-256 from the peer's `a=fingerprint`; a different certificate fails the handshake.
    public init(context: DTLSContext, role: Role, expectedFingerprint: [UInt8], mtu: Int = 1200) throws(DTLSError) {
        guard let ssl = mshim_dtls_new(context.context, role == .server ? 1 : 0, mtu) else {
            throw .openSSL("creating a DTLS session", DTLSError.lastOpenSSLError())
        }
        self.ssl = ssl
        self.role = role
        self.context = context
        self.expectedFingerprint = expectedFingerprint
        if role == .client { advance() }  // queues the ClientHello
    }

    deinit { SSL_free(ssl) }

    /// Feeds one DTLS datagram (first byte 20–63) and advances the handshake or reads (and drops)
    /// application data: WebRTC media travels as SRTP, not inside DTLS.
    public func receive(_ datagram: UnsafeRawBufferPointer) {
        guard case .handshaking = state, let base = datagram.baseAddress else {
            if case .connected = state, let base = datagram.baseAddress {
                _ = mshim_dtls_feed(ssl, base.assumingMemoryBound(to: UInt8.self), datagram.count)
                drainApplicationData()
            }
            return
        }
        guard mshim_dtls_feed(ssl, base.assumingMemoryBound(to: UInt8.self), datagram.count) == 1 else {
            state = .failed(.openSSL("buffering a datagram", DTLSError.lastOpenSSLError()))
            return
        }
        advance()
    }

    /// The next datagram to send into `buffer`; nil when none is queued. A buffer smaller than the
    /// MTU never loses a datagram: it stays queued and nil is returned.
    public func popDatagram(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        let length = mshim_dtls_pop(ssl, base.assumingMemoryBound(to: UInt8.self), buffer.count)
        return length > 0 ? Int(length) : nil
    }

    /// Convenience for control-plane callers and tests: every queued datagram.
    public func popAllDatagrams() -> [[UInt8]] {
        var out: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while let length = buffer.withUnsafeMutableBytes({ popDatagram(into: $0) }) {
            out.append(Array(buffer[0..<length]))
        }
        return out
    }

    /// Milliseconds until a flight must be retransmitted; nil when no timer runs.
    public var retransmitDelayMilliseconds: Int? {
        guard case .handshaking = state else { return nil }
        let ms = mshim_dtls_timeout_ms(ssl)
        return ms < 0 ? nil : Int(ms)
    }

    /// Retransmits the last flight when its timer expired (queues datagrams to pop).
    public func handleTimeout() {
        guard case .handshaking = state else { return }
        if mshim_dtls_handle_timeout(ssl) < 0 {
            state = .failed(.handshakeFailed("too many retransmissions"))
        }
    }

    /// Marks the handshake as failed after the caller's deadline (10 s).
    public func expire() {
        if case .handshaking = state { state = .failed(.timedOut) }
    }

    /// Queues a close_notify alert (to send) and ends the association.
    public func close() {
        if case .connected = state { _ = SSL_shutdown(ssl) }
        state = .closed
    }

    private func advance() {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            state = finish()
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return
        default:
            state = .failed(.handshakeFailed(DTLSError.lastOpenSSLError()))
        }
    }

    private func finish() -> State {
        var peer = [UInt8](repeating: 0, count: 32)
        guard mshim_dtls_peer_sha256(ssl, &peer) == 1, constantTimeEqual(peer, expectedFingerprint) else {
            return .failed(.fingerprintMismatch)
        }
        guard let profile = SRTPProfile(rawValue: UInt16(truncatingIfNeeded: mshim_dtls_srtp_profile(ssl))) else {
            return .failed(.noSRTPProfile)
        }
        let length = 2 * (profile.keyLength + profile.saltLength)
        var material = [UInt8](repeating: 0, count: length)
        let label = "EXTRACTOR-dtls_srtp"
        let exported = label.utf8CString.withUnsafeBufferPointer { labelBytes in
            SSL_export_keying_material(ssl, &material, length, labelBytes.baseAddress, label.utf8.count, nil, 0, 0)
        }
        guard exported == 1 else {
            return .failed(.openSSL("exporting SRTP keys", DTLSError.lastOpenSSLError()))
        }
        return .connected(SRTPKeys(profile: profile, material: material, isClient: role == .client))
    }

    private func drainApplicationData() {
        var scratch = [UInt8](repeating: 0, count: 2048)
        while true {
            let read = SSL_read(ssl, &scratch, Int32(scratch.count))
            if read > 0 { continue }
            if SSL_get_error(ssl, read) == SSL_ERROR_ZERO_RETURN { state = .closed }
            return
        }
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
