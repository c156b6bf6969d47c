/// `a=fmtp:<format> <parameters>` (RFC 8866 §6.15), with `;`-separated parameters split
/// into ordered key/value pairs (`apt=96`, `profile-level-id=42e01f`, or bare tokens like `0-15`).
public struct SDPFmtp: Sendable, Hashable {
    /// One `key=value` (or bare `key`) parameter.
    public struct Parameter: Sendable, Hashable {
        public var key: String
        public var value: String?
        public init(key: String, value: String? = nil) {
            self.key = key
            self.value = value
        }
    }

    /// The format the parameters apply to; a payload type for RTP media.
    public var format: String
    public var parameters: [Parameter]

    public init(format: String, parameters: [Parameter]) {
        self.format = format
        self.parameters = parameters
    }

    public init(payloadType: UInt8, parameters: [Parameter]) {
        self.init(format: String(payloadType), parameters: parameters)
    }

    public init(parsing value: String) throws(SDPParseError) {
        let (format, rest) = SDPText.splitOnce(SDPText.trimmed(value), 0x20)
        guard !format.isEmpty else { throw SDPParseError(reason: "fmtp has no format") }
        var parameters: [Parameter] = []
        for piece in SDPText.split(rest ?? "", 0x3B) {
            let item = SDPText.trimmed(piece)
            if item.isEmpty { continue }
            let (key, value) = SDPText.splitOnce(item, 0x3D)
            let trimmedKey = SDPText.trimmed(key)
            guard !trimmedKey.isEmpty else { throw SDPParseError(reason: "fmtp parameter without a name") }
            parameters.append(Parameter(key: trimmedKey, value: value.map { SDPText.trimmed($0) }))
        }
        self.init(format: format, parameters: parameters)
    }

    /// The payload type when the format is numeric.
    public var payloadType: UInt8? {
        SDPText.int(format, max: 127).map(UInt8.init)
    }

    /// First value of a parameter, matched case-insensitively (RFC 6184 keys are case-insensitive).
    public subscript(key: String) -> String? {
        parameters.first(where: { SDPText.equalsIgnoringCase($0.key, key) })?.value
    }

    /// The attribute value, e.g. `97 apt=96`.
    public var value: String {
        let params = parameters.map { p in p.value.map { "\(p.key)=\($0)" } ?? p.key }.joined(separator: ";")
        return params.isEmpty ? format : "\(format) \(params)"
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("fmtp", value) }
}
