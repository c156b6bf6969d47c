/// `t=<start-time> <stop-time>` (RFC 8866 §5.9); WebRTC always uses `0 0`.
public struct SDPTiming: Sendable, Hashable {
    public var start: UInt64
    public var stop: UInt64

    public init(start: UInt64 = 0, stop: UInt64 = 0) {
        self.start = start
        self.stop = stop
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count == 2, let start = SDPText.decimal(fields[0], max: .max),
            let stop = SDPText.decimal(fields[1], max: .max)
        else { throw SDPParseError(reason: "timing needs \"<start> <stop>\" integers") }
        self.init(start: start, stop: stop)
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String { "\(start) \(stop)" }

    /// This value as an SDP line, ready to append to a section.
    public var line: SDPLine { SDPLine(type: "t", value: value) }
}
