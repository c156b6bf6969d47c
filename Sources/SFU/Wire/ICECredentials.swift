/// An ICE username fragment and password pair (RFC 8445 §5.3, RFC 8839 §5.4).
public struct ICECredentials: Sendable, Hashable {
    /// Username fragment, sent in SDP `a=ice-ufrag`; not secret.
    public var ufrag: String
    /// Shared secret keying MESSAGE-INTEGRITY, sent in SDP `a=ice-pwd`.
    public var password: String

    public init(ufrag: String, password: String) {
        self.ufrag = ufrag
        self.password = password
    }

    /// The 64 "ice-char" characters of RFC 8839: ALPHA / DIGIT / "+" / "/".
    public static let iceCharacters: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Fresh credentials from `SystemRandomNumberGenerator`: an 8-character ufrag (48 bits,
    /// above the 24 bits RFC 8445 asks for) and a 24-character password (144 bits, above 128).
    public static func random() -> ICECredentials {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// Same as `random()` with a caller-supplied generator; only use a seeded one in tests.
    public static func random(using generator: inout some RandomNumberGenerator) -> ICECredentials {
        ICECredentials(
            ufrag: randomString(length: 8, using: &generator),
            password: randomString(length: 24, using: &generator))
    }

    private static func randomString(length: Int, using generator: inout some RandomNumberGenerator) -> String {
        // 64 characters: the low 6 bits of a uniform word pick one without modulo bias.
        let characters = (0..<length).map { _ in
            iceCharacters[Int(truncatingIfNeeded: generator.next() & 63)]
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
