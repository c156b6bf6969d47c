import Core
import Crypto

/// Secret token families (auth-security.md §1–2): prefix + 43 chars of unpadded base64url over 32
/// CSPRNG bytes; stored as lowercase hex SHA-256 of the whole token; shown as prefix + 8 chars.
public enum TokenFamily: String, Sendable, CaseIterable {
    case apiKey = "mk_"
    case runner = "rtok_"
    case tunnel = "ttok_"
    case stream = "stok_"
}

public struct MintedToken: Sendable {
    public let raw: String
    public let hash: String
    public let displayPrefix: String
}

public enum Tokens {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func mint(_ family: TokenFamily) -> MintedToken {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let raw = family.rawValue + base64URL(bytes)
        return MintedToken(
            raw: raw, hash: hash(raw), displayPrefix: String(raw.prefix(family.rawValue.count + 8)))
    }

    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }

    /// Unpadded base64url.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares two secrets without an early exit, so timing does not reveal a common prefix.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// The format check that precedes any lookup (auth-security.md §2).
    public static func checkFormat(_ token: String, expected: TokenFamily) throws(APIError) {
        guard let underscore = token.firstIndex(of: "_") else {
            throw .unauthenticated("invalid_token", "invalid token prefix: expected a \(expected.rawValue) token")
        }
        let prefix = String(token[...underscore])
        guard prefix == expected.rawValue else {
            throw .unauthenticated("invalid_token", "invalid token prefix: expected a \(expected.rawValue) token")
        }
        guard token.utf8.count >= prefix.utf8.count + 40 else {
            throw .unauthenticated("invalid_token", "token is too short to be a \(expected.rawValue) token")
        }
    }
}
