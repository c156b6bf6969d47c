/// One `<type>=<value>` line of an SDP document, kept verbatim.
///
/// Session and media sections store their lines in order so that unknown lines and
/// attributes survive a parse/serialize round trip unchanged.
public struct SDPLine: Sendable, Hashable, CustomStringConvertible {
    /// The single-letter type (`a`, `c`, `b`, `t`, `i`, ...), always an ASCII lowercase letter.
    public var type: Character
    /// Everything after the `=`.
    public var value: String

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }

    /// An attribute line `a=<name>` or `a=<name>:<value>`.
    public static func attribute(_ name: String, _ value: String? = nil) -> SDPLine {
        SDPLine(type: "a", value: value.map { "\(name):\($0)" } ?? name)
    }

    /// The attribute carried by this line, or nil when it is not an `a=` line.
    public var attribute: SDPAttribute? {
        type == "a" ? SDPAttribute(lineValue: value) : nil
    }

    /// The line as it is serialized, without the terminator.
    public var description: String { "\(type)=\(value)" }
}

/// An `a=` attribute split into name and optional value (RFC 8866 §5.13).
public struct SDPAttribute: Sendable, Hashable {
    /// Attribute name, e.g. `rtpmap`; compared case-sensitively as browsers do.
    public var name: String
    /// Raw value after the first `:` (not trimmed), or nil for property attributes.
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    init(lineValue: String) {
        let (name, value) = SDPText.splitOnce(lineValue, 0x3A)
        self.name = name
        self.value = value
    }

    /// The value with surrounding blanks removed (empty when absent).
    public var trimmedValue: String {
        SDPText.trimmed(value ?? "")
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute(name, value) }
}
