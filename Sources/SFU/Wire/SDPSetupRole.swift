/// `a=setup` (RFC 4145 §4, RFC 5763 §5): which side opens the DTLS association.
public enum SDPSetupRole: String, Sendable, Hashable, CaseIterable {
    case actpass
    case active
    case passive
    case holdconn

    public init(parsing value: String) throws(SDPParseError) {
        let text = SDPText.trimmed(value)
        guard let role = SDPSetupRole(rawValue: SDPText.lowercased(text)) else {
            throw SDPParseError(reason: "setup must be actpass, active, passive or holdconn")
        }
        self = role
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("setup", rawValue) }
}
