/// `a=group:<semantics> <mid> ...` (RFC 5888), e.g. `BUNDLE 0 1` (RFC 9143).
public struct SDPGroup: Sendable, Hashable {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    public init(parsing value: some StringProtocol) throws(SDPParseError) {
        let fields = SDPText.fields(Substring(value))
        guard let first = fields.first else { throw SDPParseError(reason: "group has no semantics") }
        self.init(semantics: String(first), mids: fields.dropFirst().map(String.init))
    }

    public var isBundle: Bool { SDPText.equalsIgnoringCase(semantics, "BUNDLE") }

    /// The attribute value, e.g. `BUNDLE 0 1`.
    public var value: String {
        ([semantics] + mids).joined(separator: " ")
    }

    public var line: SDPLine { .attribute("group", value) }
}
