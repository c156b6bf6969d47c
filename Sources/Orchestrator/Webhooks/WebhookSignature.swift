import Crypto
import Foundation

/// `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` (api.md §14.2), where
/// `secret` is the 64-hex string shown at create/rotate, used as its UTF-8 bytes.
public enum WebhookSignature {
    public static func header(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + Hex.encode(Array(mac))
    }

    /// What a receiver does: the signature matches (constant time) and the timestamp is within
    /// `tolerance` seconds of `now`.
    public static func verify(
        header: String, secret: String, timestamp: Int64, body: [UInt8], now: Int64, tolerance: Int64 = 300
    ) -> Bool {
        guard abs(now - timestamp) <= tolerance else { return false }
        let expected = Array(self.header(secret: secret, timestamp: timestamp, body: body).utf8)
        let given = Array(header.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    /// A new secret: 32 random bytes as 64 hex characters.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0 ... .max, using: &generator) })
    }
}
