/// Record identifiers: `{prefix}_{timestamp8}{random8}` (data-model.md §1).
///
/// `timestamp8` is Unix milliseconds in letters-only base52 (A–Z then a–z, most significant first),
/// so lexicographic order is creation order; `random8` is base62 drawn with a CSPRNG.
public enum IDPrefix: String, Sendable, CaseIterable {
    case runner = "run"
    case session = "sess"
    case task = "task"
    case taskRun = "trun"
    case scheduledTask = "stsk"
    case permission = "perm"
    case workspace = "ws"
    case apiKey = "key"
    case runnerToken = "rtok"
    case dataKey = "dek"
    case log = "log"
    case logArchive = "arch"
    case actionLog = "alog"
    case agentConfig = "acfg"
    case providerConfig = "pcfg"
    case profile = "prof"
    case snapshot = "snap"
    case tunnel = "tun"
    case manifest = "mfst"
    case webhook = "whk"
    case webhookEvent = "whev"
    case stream = "strm"
    case streamToken = "stok"
    case replica = "rep"
    case tunnelConnection = "conn"
    case viewer = "vwr"
    case publisher = "pub"
}

public enum ID {
    static let base52: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    static let base62: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A new id for `prefix` created at `milliseconds` since the Unix epoch.
    public static func make(_ prefix: IDPrefix, milliseconds: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix.rawValue, milliseconds: milliseconds, using: &generator)
    }

    public static func make(_ prefix: IDPrefix, clock: some WallClock = SystemWallClock()) -> String {
        make(prefix, milliseconds: clock.now().milliseconds)
    }

    public static func make(
        _ prefix: String, milliseconds: Int64, using generator: inout some RandomNumberGenerator
    ) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(prefix.utf8.count + 17)
        bytes.append(contentsOf: prefix.utf8)
        bytes.append(UInt8(ascii: "_"))
        var stamp = [UInt8](repeating: base52[0], count: 8)
        var value = UInt64(max(0, milliseconds))
        for index in stride(from: 7, through: 0, by: -1) {
            stamp[index] = base52[Int(value % 52)]
            value /= 52
        }
        bytes.append(contentsOf: stamp)
        for _ in 0..<8 {
            // Rejection-free uniform draw: `random(in:)` is unbiased.
            bytes.append(base62[Int.random(in: 0..<62, using: &generator)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when `id` has the shape `^[a-z]+_[A-Za-z]{8}[0-9A-Za-z]{8}$` and the expected prefix.
    public static func isValid(_ id: String, prefix: IDPrefix) -> Bool {
        let utf8 = Array(id.utf8)
        let expected = prefix.rawValue.utf8.count
        guard utf8.count == expected + 17, id.utf8.starts(with: prefix.rawValue.utf8),
            utf8[expected] == UInt8(ascii: "_")
        else { return false }
        for (offset, byte) in utf8[(expected + 1)...].enumerated() {
            let isLetter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            let isDigit = byte >= 48 && byte <= 57
            if offset < 8 ? !isLetter : !(isLetter || isDigit) { return false }
        }
        return true
    }

    /// The creation time encoded in an id, in Unix milliseconds, or nil when the id is malformed.
    public static func milliseconds(of id: String) -> Int64? {
        guard let underscore = id.utf8.firstIndex(of: UInt8(ascii: "_")) else { return nil }
        let suffix = id.utf8[id.utf8.index(after: underscore)...]
        guard suffix.count == 16 else { return nil }
        var value: Int64 = 0
        for byte in suffix.prefix(8) {
            let digit: Int64
            switch byte {
            case 65...90: digit = Int64(byte - 65)
            case 97...122: digit = Int64(byte - 97 + 26)
            default: return nil
            }
            value = value * 52 + digit
        }
        return value
    }
}
