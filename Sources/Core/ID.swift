#if canImport(Glibc)
import Glibc
#endif

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
        // One 64-bit draw gives all eight digits: uniform over 62^8 by rejecting the top
        // remainder (taken with probability ~1e-5), instead of eight `random(in:)` draws.
        let span: UInt64 = 218_340_105_584_896  // 62^8
        let limit = UInt64.max - UInt64.max % span
        var draw = generator.next()
        while draw >= limit { draw = generator.next() }
        draw %= span
        var digits: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
        for index in stride(from: 7, through: 0, by: -1) {
            digits[index] = base62[Int(draw % 62)]
            draw /= 62
        }
        bytes.append(contentsOf: digits)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A new id drawn from `generator` (see `BufferedSystemRandom` for many ids in a row).
    public static func make(_ prefix: IDPrefix, milliseconds: Int64, using generator: inout some RandomNumberGenerator)
        -> String
    {
        make(prefix.rawValue, milliseconds: milliseconds, using: &generator)
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

/// CSPRNG output taken from the kernel 512 bytes at a time (`/dev/urandom`). `SystemRandomNumberGenerator` makes
/// one `getrandom` call per 64-bit draw and an id takes eight draws: for log ingest (an id per
/// line) that was 16% of the server's CPU. Use one per batch, not shared across threads.
public struct BufferedSystemRandom: RandomNumberGenerator {
    private var buffer = [UInt64](repeating: 0, count: 64)
    private var index = 64

    public init() {}

    public mutating func next() -> UInt64 {
        if index == buffer.count {
            refill()
            index = 0
        }
        defer { index += 1 }
        return buffer[index]
    }

    #if canImport(Glibc)
    /// Opened once; the kernel's CSPRNG like `getrandom` (which Swift's Glibc module does not expose).
    private static let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    #endif

    private mutating func refill() {
        #if canImport(Glibc)
        let complete = Self.urandom >= 0 && buffer.withUnsafeMutableBytes { raw -> Bool in
            var filled = 0
            while filled < raw.count {
                let count = read(Self.urandom, raw.baseAddress! + filled, raw.count - filled)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { return false }
                filled += count
            }
            return true
        }
        if complete { return }
        #endif
        var system = SystemRandomNumberGenerator()
        for slot in buffer.indices { buffer[slot] = system.next() }
    }
}
