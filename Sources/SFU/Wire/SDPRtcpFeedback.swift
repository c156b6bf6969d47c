/// `a=rtcp-fb:<format|*> <type>[ <parameter>]` (RFC 4585 §4.2), e.g. `96 nack pli`.
public struct SDPRtcpFeedback: Sendable, Hashable {
    /// A payload type, or `*` for every format of the m-line.
    public var format: String
    /// `nack`, `ccm`, `goog-remb`, `transport-cc`, ...
    public var type: String
    /// `pli` for `nack pli`, `fir` for `ccm fir`; nil when absent.
    public var parameter: String?

    public init(format: String, type: String, parameter: String? = nil) {
        self.format = format
        self.type = type
        self.parameter = parameter
    }

    public init(payloadType: UInt8, type: String, parameter: String? = nil) {
        self.init(format: String(payloadType), type: type, parameter: parameter)
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count >= 2 else {
            throw SDPParseError(reason: "rtcp-fb needs \"<pt> <type> [<parameter>]\"")
        }
        guard fields[0] == "*" || SDPText.int(fields[0], max: 127) != nil else {
            throw SDPParseError(reason: "rtcp-fb format must be a payload type or *")
        }
        let parameter = fields.count > 2 ? fields[2...].joined(separator: " ") : nil
        self.init(format: fields[0], type: fields[1], parameter: parameter)
    }

    /// Whether this entry applies to `payloadType` (directly or through `*`).
    public func applies(to payloadType: UInt8) -> Bool {
        format == "*" || SDPText.int(format, max: 127) == Int(payloadType)
    }

    /// The attribute value, e.g. `96 ccm fir`.
    public var value: String {
        parameter.map { "\(format) \(type) \($0)" } ?? "\(format) \(type)"
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("rtcp-fb", value) }
}
