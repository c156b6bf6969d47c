@testable import SFU

/// RFC 5769 test vectors (IETF Trust, Simplified BSD License), sections 2.1–2.3.
/// SOFTWARE and USERNAME padding in the RFC is 0x20, not zero, on purpose.
enum RFC5769 {
    static let password = "VOkJxbRl1RmTxUk/WvJxBt"
    static let transactionID = STUNTransactionID(high: 0xb7e7_a701, middle: 0xbc34_d686, low: 0xfa87_dfae)

    /// §2.1 Sample Request.
    static let request = hex("""
        00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
        00 24 00 04 6e 00 01 ff
        80 29 00 08 93 2f f9 b1 51 26 3b 36
        00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
        00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
        80 28 00 04 e5 7a 3b cf
        """)

    /// §2.2 Sample IPv4 Response: XOR-MAPPED-ADDRESS 192.0.2.1:32853.
    static let ipv4Response = hex("""
        01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 08 00 01 a1 47 e1 12 a6 43
        00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
        80 28 00 04 c0 7d 4c 96
        """)

    /// §2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853.
    static let ipv6Response = hex("""
        01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
        00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
        80 28 00 04 c8 fb 0b 4c
        """)

    static let all = [request, ipv4Response, ipv6Response]

    static let mappedIPv4 = ICEAddress(ipv4: 192, 0, 2, 1, port: 32853)
    static let mappedIPv6 = ICEAddress(
        ip: .v6(high: 0x2001_0db8_1234_5678, low: 0x0011_2233_4455_6677), port: 32853)
}

/// SplitMix64: tiny, seedable, good enough to drive fuzz inputs reproducibly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A connectivity check as a browser would send it to us: USERNAME `<ourUfrag>:<theirUfrag>`,
/// keyed with our password.
func makeCheck(
    username: String,
    password: String,
    transactionID: STUNTransactionID = STUNTransactionID(high: 1, middle: 2, low: 3),
    useCandidate: Bool = false,
    extra: [STUNAttribute] = [],
    integrity: Bool = true,
    fingerprint: Bool = true
) -> [UInt8] {
    var builder = STUNMessageBuilder(messageClass: .request, method: .binding, transactionID: transactionID)
    builder.append(.username(Array(username.utf8)))
    builder.append(.priority(0x6E00_01FF))
    builder.append(.iceControlling(tieBreaker: 0x1122_3344_5566_7788))
    if useCandidate { builder.append(.useCandidate) }
    for attribute in extra { builder.append(attribute) }
    if integrity { builder.appendMessageIntegrity(password: password) }
    if fingerprint { builder.appendFingerprint() }
    return builder.bytes
}

func parse(_ bytes: [UInt8]) -> Result<STUNMessage, STUNParseError> {
    Result { () throws(STUNParseError) in try STUNMessage(parsing: bytes) }
}

func parseError(_ bytes: [UInt8]) -> STUNParseError? {
    if case .failure(let error) = parse(bytes) { return error }
    return nil
}
