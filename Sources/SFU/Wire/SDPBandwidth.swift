/// `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8), e.g. `AS:2500` or `TIAS:2500000`.
public struct SDPBandwidth: Sendable, Hashable {
    public var type: String
    public var bandwidth: UInt64

    public init(type: String, bandwidth: UInt64) {
        self.type = type
        self.bandwidth = bandwidth
    }

    public init(parsing value: String) throws(SDPParseError) {
        let (type, amount) = SDPText.splitOnce(SDPText.trimmed(value), 0x3A)
        guard !type.isEmpty, let amount, let bandwidth = SDPText.decimal(amount, max: UInt64(UInt32.max) * 1000) else {
            throw SDPParseError(reason: "bandwidth needs \"<type>:<integer>\"")
        }
        self.init(type: type, bandwidth: bandwidth)
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String { "\(type):\(bandwidth)" }

    /// This value as an SDP line, ready to append to a section.
    public var line: SDPLine { SDPLine(type: "b", value: value) }
}
