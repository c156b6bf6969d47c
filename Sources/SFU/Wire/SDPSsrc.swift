/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1), e.g. `a=ssrc:1 cname:abc`.
public struct SDPSsrc: Sendable, Hashable {
    public var ssrc: UInt32
    /// Source attribute name (`cname`, `msid`, `mslabel`, `label`, ...).
    public var attribute: String
    public var attributeValue: String?

    public init(ssrc: UInt32, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.attributeValue = value
    }

    public init(parsing value: String) throws(SDPParseError) {
        let (ssrcText, rest) = SDPText.splitOnce(SDPText.trimmed(value), 0x20)
        guard let ssrc = SDPText.decimal(ssrcText, max: UInt64(UInt32.max)) else {
            throw SDPParseError(reason: "ssrc must be a 32-bit unsigned integer")
        }
        let attributeText = SDPText.trimmed(rest ?? "")
        guard !attributeText.isEmpty else { throw SDPParseError(reason: "ssrc has no source attribute") }
        let (name, attrValue) = SDPText.splitOnce(attributeText, 0x3A)
        guard !name.isEmpty else { throw SDPParseError(reason: "ssrc source attribute has no name") }
        self.init(ssrc: UInt32(ssrc), attribute: name, value: attrValue)
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String {
        attributeValue.map { "\(ssrc) \(attribute):\($0)" } ?? "\(ssrc) \(attribute)"
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("ssrc", value) }
}
