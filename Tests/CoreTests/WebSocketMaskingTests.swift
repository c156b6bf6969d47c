import Testing

@testable import Core

/// The word-at-a-time masking against the RFC's byte-by-byte definition (RFC 6455 §5.3), for every
/// tail length, into another buffer and in place.
struct WebSocketMaskingTests {
    static let key: (UInt8, UInt8, UInt8, UInt8) = (0x12, 0x9a, 0xff, 0x01)

    static func bytes(_ count: Int) -> [UInt8] {
        var state = UInt64(count) &+ 7
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    /// octet i of the masked data = octet i of the original XOR octet (i mod 4) of the key.
    static func reference(_ input: [UInt8]) -> [UInt8] {
        let key = [Self.key.0, Self.key.1, Self.key.2, Self.key.3]
        return input.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    @Test(arguments: [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 64, 1000, 65_537])
    func masksAsTheRFCDefinesIt(count: Int) {
        let input = Self.bytes(count)
        var output = [UInt8](repeating: 0, count: count + 5)  // longer than needed: the rest is left alone
        input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { WebSocketMasking.mask(source, key: Self.key, into: $0) }
        }
        #expect(Array(output.prefix(count)) == Self.reference(input))
        #expect(output.suffix(5).allSatisfy { $0 == 0 })

        var inPlace = input
        inPlace.withUnsafeMutableBytes { WebSocketMasking.mask(UnsafeRawBufferPointer($0), key: Self.key, into: $0) }
        #expect(inPlace == Self.reference(input))
        // Masking twice gives the data back.
        inPlace.withUnsafeMutableBytes { WebSocketMasking.mask(UnsafeRawBufferPointer($0), key: Self.key, into: $0) }
        #expect(inPlace == input)
    }
}
