/// `a=ssrc-group:<semantics> <ssrc> ...` (RFC 5576 §4.2): `FID` pairs a media SSRC with its
/// RTX SSRC (RFC 4588), `SIM` lists simulcast layers.
public struct SDPSsrcGroup: Sendable, Hashable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count >= 2 else { throw SDPParseError(reason: "ssrc-group needs \"<semantics> <ssrc>...\"") }
        var ssrcs: [UInt32] = []
        for field in fields.dropFirst() {
            guard let ssrc = SDPText.decimal(field, max: UInt64(UInt32.max)) else {
                throw SDPParseError(reason: "ssrc-group member is not a 32-bit unsigned integer")
            }
            ssrcs.append(UInt32(ssrc))
        }
        self.init(semantics: fields[0], ssrcs: ssrcs)
    }

    /// Media SSRC + RTX SSRC pair (RFC 4588 §8).
    public var isFID: Bool { SDPText.equalsIgnoringCase(semantics, "FID") }
    /// Simulcast layer SSRCs.
    public var isSIM: Bool { SDPText.equalsIgnoringCase(semantics, "SIM") }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String {
        ([semantics] + ssrcs.map { String($0) }).joined(separator: " ")
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("ssrc-group", value) }
}
