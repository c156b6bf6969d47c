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
        var size = Int32(length)
        let status = srtp_protect(session, packet, &size)
        guard status == srtp_err_status_ok else { throw .protectFailed(status.rawValue) }
        length = Int(size)
    }

    public func protectRTCP(_ packet: UnsafeMutableRawPointer, length: inout Int) throws(SRTPError) {
        var size = Int32(length)
        let status = srtp_protect_rtcp(session, packet, &size)
        guard status == srtp_err_status_ok else { throw .protectFailed(status.rawValue) }
        length = Int(size)
    }

    /// Unprotects in place; `length` shrinks to the plain packet.
    public func unprotectRTP(_ packet: UnsafeMutableRawPointer, length: inout Int) throws(SRTPError) {
        var size = Int32(length)
        let status = srtp_unprotect(session, packet, &size)
        guard status == srtp_err_status_ok else { throw .unprotectFailed(status.rawValue) }
        length = Int(size)
    }

    public func unprotectRTCP(_ packet: UnsafeMutableRawPointer, length: inout Int) throws(SRTPError) {
        var size = Int32(length)
        let status = srtp_unprotect_rtcp(session, packet, &size)
        guard status == srtp_err_status_ok else { throw .unprotectFailed(status.rawValue) }
        length = Int(size)
    }

    /// Protects the readable bytes of `buffer` in place (RTP or RTCP), growing it by the trailer.
    public func protect(_ buffer: inout ByteBuffer, rtcp: Bool) throws(SRTPError) {
        var length = buffer.readableBytes
        // Room for the trailer inside the readable view, so libsrtp2 writes only memory it was given.
        buffer.writeRepeatingByte(0, count: Self.maxTrailer)
        let result: SRTPError? = buffer.withUnsafeMutableReadableBytes { bytes -> SRTPError? in
            guard let base = bytes.baseAddress else { return .protectFailed(.max) }
            do throws(SRTPError) {
                if rtcp { try protectRTCP(base, length: &length) } else { try protectRTP(base, length: &length) }
                return nil
            } catch { return error }
        }
        if let result { throw result }
        buffer.moveWriterIndex(to: buffer.readerIndex + length)
    }

    /// Unprotects the readable bytes of `buffer` in place, shrinking it to the plain packet.
    public func unprotect(_ buffer: inout ByteBuffer, rtcp: Bool) throws(SRTPError) {
        let protected = buffer.readableBytes
        var length = protected
        let result: SRTPError? = buffer.withUnsafeMutableReadableBytes { bytes -> SRTPError? in
            guard let base = bytes.baseAddress else { return .unprotectFailed(.max) }
            do throws(SRTPError) {
                if rtcp { try unprotectRTCP(base, length: &length) } else { try unprotectRTP(base, length: &length) }
                return nil
            } catch { return error }
        }
        if let result { throw result }
        buffer.moveWriterIndex(to: buffer.readerIndex + length)
    }
}
