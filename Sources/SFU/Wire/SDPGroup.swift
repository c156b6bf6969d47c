/// `a=group:<semantics> <mid> ...` (RFC 5888), e.g. `BUNDLE 0 1` (RFC 9143).
public struct SDPGroup: Sendable, Hashable {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard let first = fields.first else { throw SDPParseError(reason: "group has no semantics") }
        self.init(semantics: first, mids: Array(fields.dropFirst()))
    }

    /// Whether this is a BUNDLE group (RFC 9143).
    public var isBundle: Bool { SDPText.equalsIgnoringCase(semantics, "BUNDLE") }

    /// The attribute value, e.g. `BUNDLE 0 1`.
    public var value: String {
        ([semantics] + mids).joined(separator: " ")
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("group", value) }
}
