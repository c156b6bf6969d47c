/// Entry point for libFuzzer-style harnesses: exercises every STUN code path on arbitrary bytes.
/// It must never trap; a harness only needs to call `run` with each input.
public enum STUNFuzzEntry {
    /// The RFC 5769 short-term password, so that mutated RFC vectors still reach the HMAC path.
    static let password = "VOkJxbRl1RmTxUk/WvJxBt"
    /// The local ufrag of the RFC 5769 sample request ("evtj:h6vY").
    static let localUfrag = "evtj"

    /// Parses, verifies, re-serializes and feeds `data` to an `ICELiteResponder`.
    public static func run(_ data: UnsafeRawBufferPointer) {
        _ = PacketDemux.classify(data)
        if let message = try? STUNMessage(parsing: data) {
            _ = message.verifyMessageIntegrity(password: password)
            _ = message.verifyFingerprint()
            _ = message.protectedAttributeCount
            _ = message.xorMappedAddress?.description
            _ = message.unknownComprehensionRequiredType
            let reserialized = message.serialize()
            _ = try? STUNMessage(parsing: reserialized)
        }
        var responder = ICELiteResponder(localUfrag: localUfrag, localPassword: password)
        let source = ICEAddress(ipv4: 192, 0, 2, 1, port: 32853)
        if case .respond(let bytes, _) = responder.handle(datagram: data, from: source, now: 1) {
            _ = try? STUNMessage(parsing: bytes)
        }
    }
}
