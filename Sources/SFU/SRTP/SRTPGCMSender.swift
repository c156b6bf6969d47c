import COpenSSL
import NIOCore

/// Outbound SRTP (RTP only) for AEAD_AES_128_GCM (RFC 7714) on OpenSSL's AES-GCM: the fan-out's
/// per-packet, per-viewer protect. Debian's libsrtp2 runs GCM on NSS, which allocated and took
/// mutexes on every packet (about a third of the forwarding CPU at 100 viewers); here one cipher
/// context per sender is keyed once and each packet only sets its IV. Session keys come from the
/// master key and salt with SRTP's AES-CM key derivation (RFC 3711 §4.3, salt padded as RFC 7714
/// §11 does), byte-identical to libsrtp2's output (`SRTPGCMSenderTests`). SRTCP stays on libsrtp2.
/// Not thread-safe: owned by the peer's event loop, like ``SRTPSession``.
public final class SRTPGCMSender {
    /// The authentication tag GCM appends.
    public static let tagLength = 16

    private let cipher: OpaquePointer
    /// Session salt (12 bytes), XORed into each packet's IV.
    private let salt: [UInt8]
    /// Per SSRC: the highest sequence number sent and its rollover counter (RFC 3711 §3.3.1).
    private var streams: [(ssrc: UInt32, highest: UInt16, rollover: UInt32)] = []

    /// `keyAndSalt`: 16-byte master key then 12-byte master salt, as ``SRTPKeys`` holds them.
    public init(keyAndSalt: [UInt8]) throws(SRTPError) {
        guard keyAndSalt.count == 28 else { throw .createFailed(0) }
        let masterKey = Array(keyAndSalt[0..<16])
        let masterSalt = Array(keyAndSalt[16..<28])
        guard let sessionKey = Self.derive(label: 0x00, length: 16, masterKey: masterKey, masterSalt: masterSalt),
            let sessionSalt = Self.derive(label: 0x02, length: 12, masterKey: masterKey, masterSalt: masterSalt),
            let cipher = EVP_CIPHER_CTX_new()
        else { throw .createFailed(0) }
        guard EVP_EncryptInit_ex(cipher, EVP_aes_128_gcm(), nil, sessionKey, nil) == 1,
            EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_IVLEN, 12, nil) == 1
        else {
            EVP_CIPHER_CTX_free(cipher)
            throw .createFailed(0)
        }
        self.cipher = cipher
        self.salt = sessionSalt
    }

    deinit { EVP_CIPHER_CTX_free(cipher) }

    /// SRTP's key derivation with the AES-CM PRF and a key derivation rate of 0: AES-128 in counter
    /// mode over zeros, IV = (master salt padded to 14 bytes, label XORed into byte 7) || 0x0000.
    static func derive(label: UInt8, length: Int, masterKey: [UInt8], masterSalt: [UInt8]) -> [UInt8]? {
        var iv = [UInt8](repeating: 0, count: 16)
        for (index, byte) in masterSalt.prefix(14).enumerated() { iv[index] = byte }
        iv[7] ^= label
        guard let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let zeros = [UInt8](repeating: 0, count: length)
        var out = [UInt8](repeating: 0, count: length + 16)
        var written: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, masterKey, iv) == 1,
            EVP_EncryptUpdate(context, &out, &written, zeros, Int32(length)) == 1, written == Int32(length)
        else { return nil }
        return Array(out.prefix(length))
    }

    /// Protects the RTP packet in `buffer`'s readable bytes in place: the payload encrypted, the
    /// 16-byte tag appended (the buffer grows).
    public func protect(_ buffer: inout ByteBuffer) throws(SRTPError) {
        let length = buffer.readableBytes
        guard length >= 12 else { throw .protectFailed(0) }
        buffer.writeRepeatingByte(0, count: Self.tagLength)
        let ok = buffer.withUnsafeMutableReadableBytes { bytes -> Bool in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
            return seal(base, length: length)
        }
        guard ok else {
            buffer.moveWriterIndex(to: buffer.readerIndex + length)
            throw .protectFailed(0)
        }
    }

    /// `packet` holds `length` bytes of RTP and 16 spare bytes after them.
    private func seal(_ packet: UnsafeMutablePointer<UInt8>, length: Int) -> Bool {
        var headerLength = 12 + 4 * Int(packet[0] & 0x0F)
        if packet[0] & 0x10 != 0 {
            guard headerLength + 4 <= length else { return false }
            headerLength += 4 + 4 * (Int(packet[headerLength + 2]) << 8 | Int(packet[headerLength + 3]))
        }
        guard packet[0] >> 6 == 2, headerLength <= length else { return false }
        let sequence = UInt16(packet[2]) << 8 | UInt16(packet[3])
        let ssrc = UInt32(packet[8]) << 24 | UInt32(packet[9]) << 16 | UInt32(packet[10]) << 8 | UInt32(packet[11])
        let rollover = rolloverCounter(ssrc: ssrc, sequence: sequence)
        // IV = (0x0000 || SSRC || ROC || SEQ) XOR session salt (RFC 7714 §8.1).
        var iv = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        return withUnsafeMutableBytes(of: &iv) { ivBytes -> Bool in
            ivBytes[2] = packet[8]
            ivBytes[3] = packet[9]
            ivBytes[4] = packet[10]
            ivBytes[5] = packet[11]
            ivBytes[6] = UInt8(rollover >> 24)
            ivBytes[7] = UInt8(truncatingIfNeeded: rollover >> 16)
            ivBytes[8] = UInt8(truncatingIfNeeded: rollover >> 8)
            ivBytes[9] = UInt8(truncatingIfNeeded: rollover)
            ivBytes[10] = packet[2]
            ivBytes[11] = packet[3]
            for index in 0..<12 { ivBytes[index] ^= salt[index] }
            let ivPointer = ivBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var written: Int32 = 0
            let payload = packet + headerLength
            let payloadLength = Int32(length - headerLength)
            guard EVP_EncryptInit_ex(cipher, nil, nil, nil, ivPointer) == 1,
                EVP_EncryptUpdate(cipher, nil, &written, packet, Int32(headerLength)) == 1,
                payloadLength == 0 || EVP_EncryptUpdate(cipher, payload, &written, payload, payloadLength) == 1,
                EVP_EncryptFinal_ex(cipher, packet + length, &written) == 1,
                EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), packet + length) == 1
            else { return false }
            return true
        }
    }

    /// The rollover counter of a packet's index, guessed as RFC 3711 §3.3.1 does relative to the
    /// highest sequence number sent on its SSRC (retransmissions of older packets keep theirs).
    private func rolloverCounter(ssrc: UInt32, sequence: UInt16) -> UInt32 {
        guard let index = streams.firstIndex(where: { $0.ssrc == ssrc }) else {
            streams.append((ssrc, sequence, 0))
            return 0
        }
        let (_, highest, rollover) = streams[index]
        var guess = rollover
        if highest < 32768 {
            if Int(sequence) - Int(highest) > 32768, rollover > 0 { guess = rollover - 1 }
        } else if Int(highest) - 32768 > Int(sequence) {
            guess = rollover &+ 1
        }
        if guess > rollover || (guess == rollover && sequence > highest) {
            streams[index].highest = sequence
            streams[index].rollover = guess
        }
        return guess
    }
}
