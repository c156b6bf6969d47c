@testable import SFU

/// Deterministic PRNG (SplitMix64) so fuzz tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            var word = next()
            for _ in 0..<8 where i < count {
                out[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
        return out
    }
}

func parseRTP(_ bytes: [UInt8]) throws(RTPParseError) -> RTPHeader {
    let result: Result<RTPHeader, RTPParseError> = bytes.withUnsafeBytes { buffer in
        do throws(RTPParseError) { return .success(try RTPHeader(parsing: buffer)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// All extension elements as (id, value bytes).
func extensionList(_ bytes: [UInt8]) throws -> [(UInt8, [UInt8])] {
    let header = try parseRTP(bytes)
    return bytes.withUnsafeBytes { buffer in
        header.extensions(in: buffer).map { ($0.id, Array(bytes[$0.valueRange])) }
    }
}

func rtcpPackets(_ bytes: [UInt8]) throws(RTCPParseError) -> [RTCPPacket] {
    let result: Result<[RTCPPacket], RTCPParseError> = bytes.withUnsafeBytes { buffer in
        var it = RTCPCompoundIterator(buffer)
        var out: [RTCPPacket] = []
        do throws(RTCPParseError) {
            while let p = try it.next() { out.append(p) }
            return .success(out)
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

func rtcpSingle(_ bytes: [UInt8]) throws -> RTCPPacket {
    let packets = try rtcpPackets(bytes)
    guard packets.count == 1 else { throw RTCPParseError.malformed }
    return packets[0]
}

/// Runs a writer into a scratch buffer and returns the written bytes.
func written(capacity: Int = 1500, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> [UInt8] {
    var out = [UInt8](repeating: 0xEE, count: capacity)
    let n = try out.withUnsafeMutableBytes { try body($0) }
    return Array(out[0..<n])
}

func twccStatuses(_ bytes: [UInt8], _ twcc: RTCPTransportWideCC) throws -> [RTCPTWCCPacketStatus] {
    try bytes.withUnsafeBytes { buffer in
        var out: [RTCPTWCCPacketStatus] = []
        try twcc.forEachPacket(in: buffer) { out.append($0) }
        return out
    }
}

func hex(_ s: String) -> [UInt8] {
    let digits = s.filter { $0.isHexDigit }
    var out: [UInt8] = []
    var it = digits.makeIterator()
    while let a = it.next(), let b = it.next() {
        out.append(UInt8(String([a, b]), radix: 16)!)
    }
    return out
}

/// Known packets used by several suites.
enum Fixtures {
    /// Chrome video packet with one-byte extensions (Wireshark dissection:
    /// seq 6751, ts 3557360969, ssrc 0xf7b16e83, ext ids 2, 4, 13).
    static let chromeOneByte: [UInt8] = hex("""
        902d1a5f d4090549 f7b16e83 bede0003 22f34350 41009b d2810045 00
        """)

    /// Chrome packet using the two-byte form (0x1000), 17 words of extensions.
    static let chromeTwoByte: [UInt8] = hex("""
        902d61c5 950a0fee 8d3814e5 10000011
        020303f7ae 04020002 090130 030100 060102
        070d010001000700 07000a00000000
        0d21c00001800318 7aaaf130a0a014d1 4138230460086422 22265009f0077013 f00ef0
        """)

    /// Transport-wide CC feedback captured from Chrome (Wireshark dissection):
    /// base 1, count 9, reference time 6197520, one run-length chunk of small deltas, P=1.
    static let chromeTWCC: [UInt8] = hex("""
        afcd0007 00000001 dd586eb6 00010009 5e911000 2009 1c0c2c38 00040008 18 01
        """)

    /// libwebrtc's REMB unit-test vector: sender 0x12345678, 522022 bps, 3 SSRCs.
    static let webrtcREMB: [UInt8] = hex("""
        8fce0007 12345678 00000000 52454d42 0307fb93 23456789 2345678a 2345678b
        """)

    /// Chrome-style compound RR (one report block) + REMB (1.5 Mbps, one SSRC).
    static let chromeRRREMB: [UInt8] = hex("""
        81c90007 00000001 dd586eb6 00000000 00011a5f 00000012 d4090549 00012000
        8fce0005 00000001 00000000 52454d42 010edc6c dd586eb6
        """)
}
