import Testing
@testable import SFU

/// Deterministic generator (SplitMix64) so failures are reproducible from the seed.
/// Produces random and mutated SDP inputs.
struct SDPMutator {
    var rng: SplitMix64
    let corpus: [[String]] = SDPFixtures.all.map { fixture in
        fixture.text.rawLines
    }
    static let garbage: [String] = [
        " ", ":", "/", "=", ";", "0", "9", "65536", "-1", "a", "Z", "\r", "\t", "*", "é", "\u{301}", "🎥", "\0",
        "rtpmap", "fmtp", "apt=", "typ", "BUNDLE", "sha-256", "FF:", "4294967296", "profile-level-id=42e01f",
        "packetization-mode=1", "level-asymmetry-allowed=1", "m=video 9 UDP/TLS/RTP/SAVPF 96",
    ]

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ upperBound: Int) -> Int { Int.random(in: 0..<max(upperBound, 1), using: &rng) }

    mutating func randomBytes() -> [UInt8] {
        (0..<int(400)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    mutating func garble(_ line: String) -> String {
        var scalars = Array(line.unicodeScalars)
        switch int(4) {
        case 0 where !scalars.isEmpty:
            scalars.removeSubrange(int(scalars.count)..<scalars.count)  // truncate
        case 1 where !scalars.isEmpty:
            let at = int(scalars.count)
            scalars.replaceSubrange(at..<min(scalars.count, at + 1 + int(3)), with: Self.garbage[int(Self.garbage.count)].unicodeScalars)
        case 2:
            scalars.insert(contentsOf: Self.garbage[int(Self.garbage.count)].unicodeScalars, at: int(scalars.count + 1))
        default:
            // Change a digit run, which hits payload types, ports, ids and SSRCs.
            if let index = scalars.indices.filter({ ("0"..."9").contains(scalars[$0]) }).randomElement(using: &rng) {
                scalars[index] = Unicode.Scalar(UInt8(48 + int(10)))
            }
        }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }

    mutating func mutatedOffer() -> String {
        var lines = corpus[int(corpus.count)]
        for _ in 0...int(4) {
            guard !lines.isEmpty else { break }
            let index = int(lines.count)
            switch int(6) {
            case 0: lines.remove(at: index)
            case 1: lines.insert(lines[index], at: int(lines.count))
            case 2: lines.swapAt(index, int(lines.count))
            case 3: lines.insert(corpus[int(corpus.count)].randomElement(using: &rng) ?? "", at: index)
            default: lines[index] = garble(lines[index])
            }
        }
        return lines.joined(separator: int(2) == 0 ? "\n" : "\r\n")
    }

    mutating func next(_ iteration: Int) -> String {
        switch iteration % 10 {
        case 0: return String(decoding: randomBytes(), as: UTF8.self)
        case 1: return "v=0\n" + (0..<int(12)).map { _ in Self.garbage[int(Self.garbage.count)] }.joined(separator: int(2) == 0 ? "\n" : "")
        default: return mutatedOffer()
        }
    }
}

@Suite("SDP fuzzing")
struct SDPFuzzTests {
    @Test func fiveThousandRandomAndMutatedInputsKeepInvariants() {
        var mutator = SDPMutator(seed: 0x5EED_5D9)
        var parsed = 0
        var answered = 0
        var refused = 0
        for iteration in 0..<5_000 {
            let input = mutator.next(iteration)
            switch SDPFuzzEntry.check(input) {
            case .invariantViolated(let message):
                Issue.record("iteration \(iteration): \(message)\n\(input)")
                return
            case .rejectedByParser:
                break
            case .rejectedByNegotiator:
                parsed += 1
                refused += 1
            case .answered:
                parsed += 1
                answered += 1
            }
        }
        // The mutations must exercise every stage, not only the parser's first line check.
        #expect(parsed > 1_000)
        #expect(answered > 500)
        #expect(refused > 100)
    }

    @Test func seedCorpusParsesAndKeepsInvariants() {
        for fixture in SDPFixtures.all {
            let outcome = SDPFuzzEntry.check(fixture.text)
            #expect(outcome != .rejectedByParser, "\(fixture.name)")
            if case .invariantViolated(let message) = outcome { Issue.record("\(fixture.name): \(message)") }
        }
        // Every fuzz configuration answers at least one seed offer.
        for config in SDPFuzzEntry.configs {
            let answered = SDPFixtures.all.filter { (try? SDPNegotiator.negotiate(offer: $0.text, config: config)) != nil }
            #expect(!answered.isEmpty)
        }
    }

    @Test func runEntryPointAcceptsRawBytes() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0..<256, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.withUnsafeBytes { SDPFuzzEntry.run($0) }
        }
        Array(SDPFixtures.chromeWHEP.utf8).withUnsafeBytes { SDPFuzzEntry.run($0) }
        // Invalid UTF-8 is decoded lossily and then rejected or parsed, never trapped on.
        let invalid: [UInt8] = Array("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=".utf8) + [0xFF, 0xFE, 0x0A]
        #expect(SDPFuzzEntry.check(String(decoding: invalid, as: UTF8.self)) == .rejectedByNegotiator(
            .invalidSDP("offer has no a=group:BUNDLE (RFC 9143)")))
        invalid.withUnsafeBytes { SDPFuzzEntry.run($0) }
    }
}
