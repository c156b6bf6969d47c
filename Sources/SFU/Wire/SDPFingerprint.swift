/// `a=fingerprint:<hash function> <XX:XX:...>` (RFC 8122 §5): the certificate digest the
/// DTLS handshake is checked against.
public struct SDPFingerprint: Sendable, Hashable {
    /// Lowercased hash function name (`sha-256`, `sha-384`, ...).
    public var hashFunction: String
    public var bytes: [UInt8]

    /// Digest sizes of the hash functions RFC 8122 registers; other names are accepted with
    /// any non-empty length since the SFU only uses `sha-256`.
    static let digestLengths: [String: Int] = [
        "md2": 16, "md5": 16, "sha-1": 20, "sha-224": 28, "sha-256": 32, "sha-384": 48, "sha-512": 64,
    ]

    public init(hashFunction: String, bytes: [UInt8]) {
        self.hashFunction = SDPText.lowercased(hashFunction)
        self.bytes = bytes
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count == 2 else { throw SDPParseError(reason: "fingerprint needs \"<hash> <hex bytes>\"") }
        let hash = SDPText.lowercased(fields[0])
        var bytes: [UInt8] = []
        for pair in SDPText.split(fields[1], 0x3A) {
            let digits = Array(pair.utf8)
            guard digits.count == 2, let high = SDPText.hexValue(digits[0]), let low = SDPText.hexValue(digits[1]) else {
                throw SDPParseError(reason: "fingerprint must be colon-separated two-digit hex bytes")
            }
            bytes.append(high << 4 | low)
        }
        if let expected = Self.digestLengths[hash], expected != bytes.count {
            throw SDPParseError(reason: "\(hash) fingerprint must have \(expected) bytes, found \(bytes.count)")
        }
        self.init(hashFunction: hash, bytes: bytes)
    }

    /// Uppercase colon-separated hex, as browsers write it.
    public var hexString: String {
        bytes.map { SDPText.hexByte($0, uppercase: true) }.joined(separator: ":")
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String { "\(hashFunction) \(hexString)" }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("fingerprint", value) }
}
