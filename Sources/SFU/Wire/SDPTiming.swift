/// `t=<start-time> <stop-time>` (RFC 8866 §5.9); WebRTC always uses `0 0`.
public struct SDPTiming: Sendable, Hashable {
    public var start: UInt64
    public var stop: UInt64

    public init(start: UInt64 = 0, stop: UInt64 = 0) {
        self.start = start
        self.stop = stop
    }

    public init(parsing value: some StringProtocol) throws(SDPParseError) {
        let fields = SDPText.fields(Substring(value))
        guard fields.count == 2, let start = SDPText.decimal(fields[0], max: .max),
            let stop = SDPText.decimal(fields[1], max: .max)
        else { throw SDPParseError(reason: "timing needs \"<start> <stop>\" integers") }
        self.init(start: start, stop: stop)
    }

    public var value: String { "\(start) \(stop)" }

    public var line: SDPLine { SDPLine(type: "t", value: value) }
}
