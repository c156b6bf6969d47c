/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]` (RFC 8866 §6.6).
public struct SDPRtpMap: Sendable, Hashable {
    public var payloadType: UInt8
    /// Encoding name as written (`VP8`, `opus`, `H264`, `rtx`); compare case-insensitively.
    public var encodingName: String
    public var clockRate: UInt32
    /// Channel count for audio (`opus/48000/2`), nil when omitted.
    public var channels: Int?

    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count == 2 else {
            throw SDPParseError(reason: "rtpmap needs \"<pt> <name>/<rate>[/<channels>]\"")
        }
        guard let pt = SDPText.int(fields[0], max: 127) else {
            throw SDPParseError(reason: "rtpmap payload type must be 0-127")
        }
        let parts = SDPText.split(fields[1], 0x2F)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else {
            throw SDPParseError(reason: "rtpmap encoding must be \"<name>/<rate>[/<channels>]\"")
        }
        guard let rate = SDPText.decimal(parts[1], max: UInt64(UInt32.max)), rate > 0 else {
            throw SDPParseError(reason: "rtpmap clock rate is not a positive integer")
        }
        var channels: Int?
        if parts.count == 3 {
            guard let count = SDPText.int(parts[2], max: 255), count > 0 else {
                throw SDPParseError(reason: "rtpmap channel count is not a positive integer")
            }
            channels = count
        }
        self.init(payloadType: UInt8(pt), encodingName: parts[0], clockRate: UInt32(rate), channels: channels)
    }

    /// The attribute value, e.g. `111 opus/48000/2`.
    public var value: String {
        var text = "\(payloadType) \(encodingName)/\(clockRate)"
        if let channels { text += "/\(channels)" }
        return text
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("rtpmap", value) }
}
