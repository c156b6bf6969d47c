import Foundation
import Testing
@testable import SFU

@Suite("Fuzz entry point")
struct STUNFuzzTests {
    /// Whenever a message parses, re-serializing and re-parsing gives the same message.
    func checkRoundTrip(_ bytes: [UInt8]) {
        guard case .success(let message) = parse(bytes) else { return }
        let again = message.serialize()
        #expect(again.count == bytes.count)
        #expect(parse(again) == .success(message))
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 0x5EED_0001)
        var parsed = 0
        for iteration in 0..<20_000 {
            let length = Int.random(in: 0...600, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half of the inputs get a plausible STUN header so the attribute parser is reached.
            if iteration % 2 == 0, bytes.count >= 20 {
                let bodyLength = (bytes.count - 20) & ~3
                bytes.removeLast(bytes.count - 20 - bodyLength)
                bytes[0] &= 0x01
                bytes[2] = UInt8(bodyLength >> 8)
                bytes[3] = UInt8(bodyLength & 0xFF)
                bytes.replaceSubrange(4..<8, with: [0x21, 0x12, 0xA4, 0x42])
            }
            bytes.withUnsafeBytes { STUNFuzzEntry.run($0) }
            if case .success = parse(bytes) { parsed += 1 }
            checkRoundTrip(bytes)
        }
        #expect(parsed > 0)
    }

    @Test func mutatedRFCVectorsNeverTrap() {
        var generator = SeededGenerator(seed: 0x5EED_0002)
        let seeds = RFC5769.all + [makeCheck(username: "evtj:h6vY", password: RFC5769.password, useCandidate: true)]
        var parsed = 0
        for iteration in 0..<20_000 {
            var bytes = seeds[iteration % seeds.count]
            let mutations = Int.random(in: 1...4, using: &generator)
            for _ in 0..<mutations {
                mutate(&bytes, using: &generator)
            }
            bytes.withUnsafeBytes { STUNFuzzEntry.run($0) }
            if case .success = parse(bytes) { parsed += 1 }
            checkRoundTrip(bytes)
        }
        #expect(parsed > 1_000)
    }

    private func mutate(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0 where !bytes.isEmpty:  // flip a bit
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
        case 1 where !bytes.isEmpty:  // overwrite a byte with an interesting value
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] = [0x00, 0x01, 0x03, 0x7F, 0x80, 0xFF, 0x14, 0x20].randomElement(using: &generator) ?? 0
        case 2:  // truncate
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &generator))
        case 3:  // append random bytes
            for _ in 0..<Int.random(in: 1...16, using: &generator) {
                bytes.append(UInt8.random(in: 0...255, using: &generator))
            }
        case 4 where bytes.count > 24:  // duplicate a 4-aligned slice after the header
            let start = 20 + 4 * Int.random(in: 0..<((bytes.count - 20) / 4), using: &generator)
            let end = min(bytes.count, start + 4 * Int.random(in: 1...6, using: &generator))
            bytes.insert(contentsOf: bytes[start..<end], at: start)
        default:  // fix the length field so the mutation reaches the attribute parser
            if bytes.count >= 20 {
                let length = bytes.count - 20
                bytes[2] = UInt8(truncatingIfNeeded: length >> 8)
                bytes[3] = UInt8(truncatingIfNeeded: length)
            }
        }
    }

    /// The seed corpus in corpus/stun must stay valid STUN; the built requests must be accepted
    /// by the fuzz entry's responder credentials.
    @Test func seedCorpusParses() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/stun")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files.count >= 6)
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
            guard case .success(let message) = parse(bytes) else {
                Issue.record("\(file) does not parse")
                continue
            }
            #expect(message.serialize() == bytes, "\(file)")
            #expect(message.verifyFingerprint(), "\(file)")
            #expect(message.verifyMessageIntegrity(password: STUNFuzzEntry.password), "\(file)")
            bytes.withUnsafeBytes { STUNFuzzEntry.run($0) }
        }
    }

    /// The seed corpus content: the RFC 5769 vectors plus requests built with our builder.
    static func seedCorpus() -> [(String, [UInt8])] {
        let password = STUNFuzzEntry.password
        return [
            ("rfc5769-2.1-request.bin", RFC5769.request),
            ("rfc5769-2.2-ipv4-response.bin", RFC5769.ipv4Response),
            ("rfc5769-2.3-ipv6-response.bin", RFC5769.ipv6Response),
            ("binding-request.bin", makeCheck(
                username: "evtj:h6vY", password: password,
                transactionID: .init(high: 0x0102_0304, middle: 0x0506_0708, low: 0x090A_0B0C))),
            ("binding-request-use-candidate.bin", makeCheck(
                username: "evtj:h6vY", password: password,
                transactionID: .init(high: 0x1112_1314, middle: 0x1516_1718, low: 0x191A_1B1C),
                useCandidate: true)),
            ("binding-request-unknown-optional.bin", makeCheck(
                username: "evtj:Brws", password: password,
                transactionID: .init(high: 0x2122_2324, middle: 0x2526_2728, low: 0x292A_2B2C),
                extra: [.unknown(type: STUNAttributeType(rawValue: 0xC057), value: [0, 2, 0, 10]),
                        .software(Array("fuzz".utf8))])),
            ("binding-success-ipv6.bin", {
                var builder = STUNMessageBuilder(
                    messageClass: .success, transactionID: .init(high: 0x3132_3334, middle: 0x3536_3738, low: 0x393A_3B3C))
                builder.append(.xorMappedAddress(RFC5769.mappedIPv6))
                builder.appendMessageIntegrity(password: password)
                builder.appendFingerprint()
                return builder.bytes
            }()),
            ("binding-error-487.bin", {
                var builder = STUNMessageBuilder(
                    messageClass: .error, transactionID: .init(high: 0x4142_4344, middle: 0x4546_4748, low: 0x494A_4B4C))
                builder.append(.errorCode(STUNErrorCode(code: 487, reason: "Role Conflict")))
                builder.appendMessageIntegrity(password: password)
                builder.appendFingerprint()
                return builder.bytes
            }()),
        ]
    }

    /// Regenerates corpus/stun when SFUWIRE_WRITE_CORPUS is set; otherwise checks the files
    /// on disk still hold exactly these bytes.
    @Test func seedCorpusMatchesGenerator() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/stun")
        let write = ProcessInfo.processInfo.environment["SFUWIRE_WRITE_CORPUS"] != nil
        for (name, bytes) in Self.seedCorpus() {
            let url = directory.appendingPathComponent(name)
            if write {
                try Data(bytes).write(to: url)
            }
            #expect([UInt8](try Data(contentsOf: url)) == bytes, "\(name)")
        }
    }
}
