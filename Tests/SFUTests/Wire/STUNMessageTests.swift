import Testing
@testable import SFU

@Suite("STUN message: RFC 5769 vectors")
struct RFC5769VectorTests {
    @Test func sampleRequestParsesEveryAttribute() throws {
        let message = try STUNMessage(parsing: RFC5769.request)
        #expect(message.messageClass == .request)
        #expect(message.method == .binding)
        #expect(message.transactionID == RFC5769.transactionID)
        #expect(message.attributes.map(\.type) == [
            .software, .priority, .iceControlled, .username, .messageIntegrity, .fingerprint,
        ])
        #expect(message.software == Array("STUN test client".utf8))
        #expect(message.priority == 0x6E00_01FF)
        #expect(message.iceControlled == 0x932F_F9B1_5126_3B36)
        #expect(message.username == Array("evtj:h6vY".utf8))
        #expect(message.messageIntegrity == hex("9a eaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2"))
        #expect(message.fingerprint == 0xE57A_3BCF)
        #expect(message.useCandidate == false)
    }

    @Test(arguments: [RFC5769.request, RFC5769.ipv4Response, RFC5769.ipv6Response])
    func integrityAndFingerprintVerify(vector: [UInt8]) throws {
        let message = try STUNMessage(parsing: vector)
        #expect(message.verifyMessageIntegrity(password: RFC5769.password))
        #expect(message.verifyFingerprint())
    }

    @Test(arguments: [RFC5769.request, RFC5769.ipv4Response, RFC5769.ipv6Response])
    func reserializationIsByteExact(vector: [UInt8]) throws {
        let message = try STUNMessage(parsing: vector)
        #expect(message.serialize() == vector)
    }

    @Test func ipv4ResponseDecodesMappedAddress() throws {
        let message = try STUNMessage(parsing: RFC5769.ipv4Response)
        #expect(message.messageClass == .success)
        #expect(message.software == Array("test vector".utf8))
        #expect(message.xorMappedAddress == RFC5769.mappedIPv4)
        #expect(message.xorMappedAddress?.description == "192.0.2.1:32853")
    }

    @Test func ipv6ResponseDecodesMappedAddress() throws {
        let message = try STUNMessage(parsing: RFC5769.ipv6Response)
        #expect(message.messageClass == .success)
        #expect(message.xorMappedAddress == RFC5769.mappedIPv6)
        #expect(message.xorMappedAddress?.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
    }

    /// Builds §2.2 and §2.3 from their parts with the builder (using the RFC's 0x20 padding)
    /// and expects MESSAGE-INTEGRITY and FINGERPRINT to come out identical.
    @Test(arguments: [
        (RFC5769.mappedIPv4, RFC5769.ipv4Response),
        (RFC5769.mappedIPv6, RFC5769.ipv6Response),
    ])
    func builderReproducesResponseBytes(mapped: ICEAddress, expected: [UInt8]) {
        var builder = STUNMessageBuilder(
            messageClass: .success, method: .binding, transactionID: RFC5769.transactionID)
        builder.append(.software(Array("test vector".utf8)), padding: [0x20])
        builder.append(.xorMappedAddress(mapped))
        builder.appendMessageIntegrity(password: RFC5769.password)
        builder.appendFingerprint()
        #expect(builder.bytes == expected)
    }

    @Test func builderReproducesSampleRequest() {
        var builder = STUNMessageBuilder(
            messageClass: .request, method: .binding, transactionID: RFC5769.transactionID)
        builder.append(.software(Array("STUN test client".utf8)))
        builder.append(.priority(0x6E00_01FF))
        builder.append(.iceControlled(tieBreaker: 0x932F_F9B1_5126_3B36))
        builder.append(.username(Array("evtj:h6vY".utf8)), padding: [0x20, 0x20, 0x20])
        builder.appendMessageIntegrity(password: RFC5769.password)
        builder.appendFingerprint()
        #expect(builder.bytes == RFC5769.request)
    }
}

@Suite("STUN message: negative cases")
struct STUNNegativeTests {
    @Test func wrongPasswordFailsIntegrity() throws {
        let message = try STUNMessage(parsing: RFC5769.request)
        #expect(!message.verifyMessageIntegrity(password: "VOkJxbRl1RmTxUk/WvJxBT"))
        #expect(!message.verifyMessageIntegrity(password: ""))
    }

    /// Every single-bit flip in the bytes MESSAGE-INTEGRITY covers (and in the MAC itself)
    /// either makes the message unparsable or fails verification.
    @Test func everyFlippedBitFailsIntegrity() throws {
        let vector = RFC5769.request
        let fingerprintOffset = vector.count - 8
        var parsedFlips = 0
        for byteIndex in 0..<fingerprintOffset {
            for bit in 0..<8 {
                var mutated = vector
                mutated[byteIndex] ^= UInt8(1) << UInt8(bit)
                guard case .success(let message) = parse(mutated) else { continue }
                parsedFlips += 1
                #expect(!message.verifyMessageIntegrity(password: RFC5769.password), "byte \(byteIndex) bit \(bit)")
                #expect(!message.verifyFingerprint(), "byte \(byteIndex) bit \(bit)")
            }
        }
        #expect(parsedFlips > 400)  // most flips keep the framing valid, so the HMAC is what rejects them
    }

    @Test func flippedFingerprintBitFailsOnlyFingerprint() throws {
        var mutated = RFC5769.ipv4Response
        mutated[mutated.count - 1] ^= 0x01
        let message = try STUNMessage(parsing: mutated)
        #expect(message.verifyMessageIntegrity(password: RFC5769.password))
        #expect(!message.verifyFingerprint())
    }

    @Test func everyTruncationThrowsTruncated() {
        for vector in RFC5769.all {
            for length in 0..<vector.count {
                #expect(parseError(Array(vector[..<length])) == .truncated, "length \(length)")
            }
        }
    }

    @Test func headerErrors() {
        var badCookie = RFC5769.request
        badCookie[5] ^= 0xFF
        #expect(parseError(badCookie) == .badMagicCookie)

        var notSTUN = RFC5769.request
        notSTUN[0] |= 0x80
        #expect(parseError(notSTUN) == .notSTUN)

        var oddLength = RFC5769.request
        oddLength[3] = 0x57
        #expect(parseError(oddLength) == .lengthNotMultipleOfFour)

        #expect(parseError(RFC5769.request + [0, 0, 0, 0]) == .trailingBytes)
        #expect(parseError([]) == .truncated)
    }

    @Test func attributeOverrunThrows() {
        // Header announcing 8 bytes of attributes; the one attribute claims a 5-byte value,
        // whose padding would need 12.
        let bytes = hex("0001 0008 2112a442 000000000000000000000000 8022 0005 61626364")
        #expect(parseError(bytes) == .attributeOverrun(type: 0x8022))
        let huge = hex("0001 0004 2112a442 000000000000000000000000 0006 ffff")
        #expect(parseError(huge) == .attributeOverrun(type: 0x0006))
    }

    @Test(arguments: [
        ("0008 0013" + String(repeating: "00", count: 20), UInt16(0x0008)),  // MI of 19 bytes
        ("0024 0003 00000000", UInt16(0x0024)),  // PRIORITY of 3 bytes
        ("0025 0004 00000000", UInt16(0x0025)),  // USE-CANDIDATE with a value
        ("8029 0004 00000000", UInt16(0x8029)),  // ICE-CONTROLLED of 4 bytes
        ("0020 0008 00030000 00000000", UInt16(0x0020)),  // XOR-MAPPED-ADDRESS family 3
        ("0020 0014 0001 0000" + String(repeating: "00", count: 16), UInt16(0x0020)),  // IPv4 family, IPv6 size
        ("0009 0004 00000464", UInt16(0x0009)),  // ERROR-CODE number 100
        ("8028 0008 0000000000000000", UInt16(0x8028)),  // FINGERPRINT of 8 bytes
        ("001c 000c" + String(repeating: "00", count: 12), UInt16(0x001C)),  // MI-SHA256 too short
    ])
    func malformedKnownAttributesThrow(attributeHex: String, type: UInt16) {
        let attribute = hex(attributeHex)
        let length = UInt16(attribute.count)
        let header = [0x00, 0x01, UInt8(length >> 8), UInt8(length & 0xFF), 0x21, 0x12, 0xA4, 0x42]
            + [UInt8](repeating: 7, count: 12)
        #expect(parseError(header + attribute) == .malformedAttribute(type: type))
    }

    @Test func attributeAfterFingerprintThrows() {
        var builder = STUNMessageBuilder(messageClass: .request, transactionID: .init(high: 1, middle: 2, low: 3))
        builder.appendFingerprint()
        builder.append(.software(Array("late".utf8)))
        #expect(parseError(builder.bytes) == .attributeAfterFingerprint)
    }

    @Test func missingIntegrityAndFingerprintVerifyFalse() throws {
        let message = STUNMessage(messageClass: .request, transactionID: .init(high: 9, middle: 9, low: 9))
        #expect(!message.verifyMessageIntegrity(password: "x"))
        #expect(!message.verifyFingerprint())
        #expect(message.serialize() == hex("0001 0000 2112a442 000000090000000900000009"))
    }
}

@Suite("STUN message: encoding")
struct STUNEncodingTests {
    @Test func attributesAfterMessageIntegrityAreIgnored() throws {
        var builder = STUNMessageBuilder(messageClass: .request, transactionID: .init(high: 4, middle: 5, low: 6))
        builder.append(.username(Array("a:b".utf8)))
        builder.appendMessageIntegrity(password: "secret")
        builder.append(.useCandidate)
        builder.append(.priority(7))
        builder.appendFingerprint()
        let message = try STUNMessage(parsing: builder.bytes)
        #expect(message.attributes.count == 5)
        #expect(message.protectedAttributeCount == 1)
        #expect(message.useCandidate == false)
        #expect(message.priority == nil)
        #expect(message.username == Array("a:b".utf8))
        #expect(message.verifyMessageIntegrity(password: "secret"))
        #expect(message.verifyFingerprint())
    }

    @Test func messageTypeEncodingMatchesRFC() {
        let tid = STUNTransactionID(high: 0, middle: 0, low: 0)
        let cases: [(STUNMessageClass, UInt16, [UInt8])] = [
            (.request, 0x001, [0x00, 0x01]),
            (.indication, 0x001, [0x00, 0x11]),
            (.success, 0x001, [0x01, 0x01]),
            (.error, 0x001, [0x01, 0x11]),
            (.request, 0x003, [0x00, 0x03]),  // TURN Allocate
            (.error, 0xFFF, [0x3F, 0xFF]),
        ]
        for (messageClass, method, expected) in cases {
            let bytes = STUNMessage(messageClass: messageClass, method: STUNMethod(rawValue: method), transactionID: tid)
                .serialize()
            #expect(Array(bytes[0..<2]) == expected)
            let reparsed = try? STUNMessage(parsing: bytes)
            #expect(reparsed?.messageClass == messageClass)
            #expect(reparsed?.method.rawValue == method)
        }
    }

    @Test func everyAttributeKindRoundTrips() throws {
        let tid = STUNTransactionID(high: 0xDEAD_BEEF, middle: 0x0102_0304, low: 0xA0B0_C0D0)
        let attributes: [STUNAttribute] = [
            .software(Array("Marionette".utf8)),
            .username(Array("ufrag:r".utf8)),
            .priority(1_853_824_767),
            .useCandidate,
            .iceControlling(tieBreaker: .max),
            .iceControlled(tieBreaker: 0),
            .xorMappedAddress(ICEAddress(ipv4: 203, 0, 113, 7, port: 1)),
            .xorMappedAddress(ICEAddress(ip: .v6(high: 0xFE80 << 48, low: 1), port: 65535)),
            .errorCode(STUNErrorCode(code: 487, reason: "Role Conflict")),
            .unknown(type: STUNAttributeType(rawValue: 0xC057), value: [0, 1, 0, 0x0A]),
            .unknown(type: STUNAttributeType(rawValue: 0x7FFF), value: [1, 2, 3, 4, 5]),
            .messageIntegritySHA256([UInt8](repeating: 0xAB, count: 32)),
        ]
        let built = STUNMessage(messageClass: .indication, transactionID: tid, attributes: attributes)
        let bytes = built.serialize()
        #expect(bytes.count % 4 == 0)
        #expect(Int(bytes[2]) << 8 | Int(bytes[3]) == bytes.count - 20)
        let parsed = try STUNMessage(parsing: bytes)
        #expect(parsed == built)
        #expect(parsed.attributes == attributes)
        #expect(parsed.serialize() == bytes)
        #expect(parsed.errorCode?.code == 487)
        #expect(parsed.errorCode?.reasonText == "Role Conflict")
        #expect(parsed.unknownComprehensionRequiredType == STUNAttributeType(rawValue: 0x7FFF))
    }

    @Test func builderIntegrityAndFingerprintVerify() throws {
        var builder = STUNMessageBuilder(messageClass: .success, transactionID: .random())
        builder.append(.xorMappedAddress(RFC5769.mappedIPv6))
        builder.appendMessageIntegrity(password: "pw")
        builder.appendFingerprint()
        let message = try STUNMessage(parsing: builder.bytes)
        #expect(message.verifyMessageIntegrity(password: "pw"))
        #expect(message.verifyMessageIntegrity(key: Array("pw".utf8)))
        #expect(message.verifyFingerprint())
        #expect(message.xorMappedAddress == RFC5769.mappedIPv6)
    }

    @Test func crc32MatchesStandardCheckValue() {
        #expect(STUNCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(STUNCRC32.checksum([]) == 0)
    }

    @Test func transactionIDBytesRoundTrip() {
        let bytes: [UInt8] = [0xB7, 0xE7, 0xA7, 0x01, 0xBC, 0x34, 0xD6, 0x86, 0xFA, 0x87, 0xDF, 0xAE]
        #expect(STUNTransactionID(bytes: bytes) == RFC5769.transactionID)
        #expect(RFC5769.transactionID.bytes == bytes)
        #expect(RFC5769.transactionID.description == "b7e7a701bc34d686fa87dfae")
        #expect(STUNTransactionID(bytes: bytes.dropLast()) == nil)
    }

    @Test func addressFormatting() {
        #expect(ICEAddress(ip: .v6(high: 0x2001_0db8 << 32, low: 1), port: 443).description == "[2001:db8::1]:443")
        #expect(ICEAddress(ip: .v6(high: 0, low: 0), port: 1).description == "[::]:1")
        #expect(ICEAddress(addressBytes: [10, 0, 0, 1], port: 5) == ICEAddress(ipv4: 10, 0, 0, 1, port: 5))
        #expect(ICEAddress(addressBytes: RFC5769.mappedIPv6.addressBytes, port: 32853) == RFC5769.mappedIPv6)
        #expect(ICEAddress(addressBytes: [1, 2, 3], port: 5) == nil)
    }
}
