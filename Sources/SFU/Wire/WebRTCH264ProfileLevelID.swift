/// The H.264 `profile-level-id` fmtp parameter (RFC 6184 §8.1): three bytes written as six hex
/// digits — `profile_idc`, the constraint-flag byte (`profile-iop`) and `level_idc` — exactly as
/// they appear in bytes 1..3 of the SPS.
public struct WebRTCH264ProfileLevelID: Sendable, Hashable, CustomStringConvertible {
    public var profileIDC: UInt8
    /// constraint_set0..5 flags (high bits first) and reserved bits.
    public var constraints: UInt8
    public var levelIDC: UInt8

    public init(profileIDC: UInt8, constraints: UInt8, levelIDC: UInt8) {
        self.profileIDC = profileIDC
        self.constraints = constraints
        self.levelIDC = levelIDC
    }

    /// Parses six hex digits (case-insensitive), e.g. `42e01f`.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 6, by: 2) {
            guard let high = SDPText.hexValue(digits[index]), let low = SDPText.hexValue(digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        self.init(profileIDC: bytes[0], constraints: bytes[1], levelIDC: bytes[2])
    }

    /// Bytes 1..3 of an SPS NAL unit (after the NAL header byte), as the source encoder wrote them.
    public init?(sps: some Collection<UInt8>) {
        let bytes = Array(sps.prefix(4))
        guard bytes.count == 4, bytes[0] & 0x1F == 7 else { return nil }
        self.init(profileIDC: bytes[1], constraints: bytes[2], levelIDC: bytes[3])
    }

    /// RFC 6184 §8.1: when `profile-level-id` is absent, Baseline level 1.0 (`42000a`) is implied.
    public static let impliedDefault = WebRTCH264ProfileLevelID(profileIDC: 0x42, constraints: 0x00, levelIDC: 0x0A)

    /// Lowercase six-digit hex, e.g. `42e01f`.
    public var hex: String {
        [profileIDC, constraints, levelIDC].map { SDPText.hexByte($0, uppercase: false) }.joined()
    }

    public var description: String { hex }

    /// Whether the profile and every constraint flag equal `other`'s (streaming.md §3.3: the
    /// offered bytes 1..2 must equal the source SPS; `42e0` and `42c0` are therefore different).
    public func hasSameProfile(as other: WebRTCH264ProfileLevelID) -> Bool {
        profileIDC == other.profileIDC && constraints == other.constraints
    }

    /// A total order of levels in tenths (1.0 = 10, 1b = 10.5 → 105/10, 1.1 = 11, ...).
    /// Level 1b is `level_idc` 11 with constraint_set3 in Baseline/Main/Extended, or `level_idc` 9.
    public var levelRank: Int {
        let constraintSet3 = constraints & 0x10 != 0
        if levelIDC == 9 || (levelIDC == 11 && constraintSet3 && [0x42, 0x4D, 0x58].contains(profileIDC)) {
            return 105
        }
        return Int(levelIDC) * 10
    }
}
