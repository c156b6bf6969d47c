import CSRTP
import NIOCore

/// Errors from libsrtp2, named after the operation.
public enum SRTPError: Error, Equatable, CustomStringConvertible {
    case initFailed(UInt32)
    case createFailed(UInt32)
    /// Protect failed (for example a packet too short to be RTP); the packet must not be sent.
    case protectFailed(UInt32)
    /// Unprotect failed: bad authentication tag, replayed packet or garbage. Drop the packet.
    case unprotectFailed(UInt32)

    public var description: String {
        switch self {
        case .initFailed(let code): return "srtp_init failed (status \(code))"
        case .createFailed(let code): return "creating an SRTP session failed (status \(code))"
        case .protectFailed(let code): return "SRTP protect failed (status \(code))"
        case .unprotectFailed(let code): return "SRTP unprotect failed (status \(code))"
        }
    }
}

/// One direction of SRTP and SRTCP for a peer, on libsrtp2 (streaming.md §3.2): replay protection,
/// per-SSRC rollover counters (libsrtp2 tracks them per stream it sees), in-place protect into the
/// buffer's tailroom. Not thread-safe: owned by the peer's event loop.
public final class SRTPSession {
    /// Bytes protect may append: the auth tag (10 for CM80, 16 for GCM) plus the SRTCP index.
    public static let maxTrailer = Int(SRTP_MAX_TRAILER_LEN)

    public enum Direction: Sendable { case outbound, inbound }

    private var session: srtp_t?

    private static let initialized: UInt32 = srtp_init().rawValue

    /// `keyAndSalt`: master key then master salt, as ``SRTPKeys`` holds them.
    public init(profile: SRTPProfile, keyAndSalt: [UInt8], direction: Direction, replayWindow: UInt = 1024) throws(SRTPError) {
        guard Self.initialized == srtp_err_status_ok.rawValue else { throw .initFailed(Self.initialized) }
        var policy = srtp_policy_t()
        switch profile {
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aes128CMSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        }
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = replayWindow
        // Without RTX, NACKed packets are resent on their original SSRC and sequence number.
        policy.allow_repeat_tx = direction == .outbound ? 1 : 0
        var key = keyAndSalt
        var created: srtp_t?
        let status = key.withUnsafeMutableBufferPointer { buffer -> srtp_err_status_t in
            policy.key = buffer.baseAddress
            return srtp_create(&created, &policy)
        }
        guard status == srtp_err_status_ok, let created else { throw .createFailed(status.rawValue) }
        self.session = created
    }

    deinit {
        if let session { srtp_dealloc(session) }
    }

    /// Protects the RTP packet at `packet` in place; `length` grows by the trailer. The memory must
    /// have ``maxTrailer`` spare bytes after the packet.
    public func protectRTP(_ packet: UnsafeMutableRawPointer, length: inout Int) throws(SRTPError) {
        try call(srtp_protect, packet, &length, failure: SRTPError.protectFailed)
    }

    public func protectRTCP(_ packet: UnsafeMutableRawPointer, length: inout Int) throws(SRTPError) {
        try call(srtp_protect_rtcp, packet, &length, failure: SRTPError.protectFailed)
    }

    /// Unprotects in place; `length` shrinks to the plain packet.
    public func unprotectRTP(_ packet: UnsafeMutableRawPointer, length: inout Int) throws(SRTPError) {
        try call(srtp_unprotect, packet, &length, failure: SRTPError.unprotectFailed)
    }

    public func unprotectRTCP(_ packet: UnsafeMutableRawPointer, length: inout Int) throws(SRTPError) {
        try call(srtp_unprotect_rtcp, packet, &length, failure: SRTPError.unprotectFailed)
    }

    /// One libsrtp2 in-place call: the length goes in and comes back changed, a status other than ok throws.
    private func call(
        _ operation: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t,
        _ packet: UnsafeMutableRawPointer, _ length: inout Int, failure: (UInt32) -> SRTPError
    ) throws(SRTPError) {
        var size = Int32(length)
        let status = operation(session, packet, &size)
        guard status == srtp_err_status_ok else { throw failure(status.rawValue) }
        length = Int(size)
    }

    /// Protects the readable bytes of `buffer` in place (RTP or RTCP), growing it by the trailer.
    public func protect(_ buffer: inout ByteBuffer, rtcp: Bool) throws(SRTPError) {
        // Room for the trailer inside the readable view, so libsrtp2 writes only memory it was given.
        let plain = buffer.readableBytes
        buffer.writeRepeatingByte(0, count: Self.maxTrailer)
        try inPlace(&buffer, length: plain, failure: .protectFailed(.max)) { base, length throws(SRTPError) in
            if rtcp { try protectRTCP(base, length: &length) } else { try protectRTP(base, length: &length) }
        }
    }

    /// Unprotects the readable bytes of `buffer` in place, shrinking it to the plain packet.
    public func unprotect(_ buffer: inout ByteBuffer, rtcp: Bool) throws(SRTPError) {
        try inPlace(&buffer, length: buffer.readableBytes, failure: .unprotectFailed(.max)) { base, length throws(SRTPError) in
            if rtcp { try unprotectRTCP(base, length: &length) } else { try unprotectRTP(base, length: &length) }
        }
    }

    /// Runs `operation` on the buffer's readable bytes and sets the buffer to the length it leaves.
    private func inPlace(
        _ buffer: inout ByteBuffer, length start: Int, failure: SRTPError,
        _ operation: (UnsafeMutableRawPointer, inout Int) throws(SRTPError) -> Void
    ) throws(SRTPError) {
        var length = start
        let result: SRTPError? = buffer.withUnsafeMutableReadableBytes { bytes -> SRTPError? in
            guard let base = bytes.baseAddress else { return failure }
            do throws(SRTPError) {
                try operation(base, &length)
                return nil
            } catch { return error }
        }
        if let result { throw result }
        buffer.moveWriterIndex(to: buffer.readerIndex + length)
    }
}
