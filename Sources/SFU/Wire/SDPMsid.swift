/// `a=msid:<stream id> [<track id>]` (RFC 8830), or the same pair inside `a=ssrc:<n> msid:`.
public struct SDPMsid: Sendable, Hashable {
    /// MediaStream id; `-` means "no stream".
    public var streamID: String
    public var trackID: String?

    public init(streamID: String, trackID: String? = nil) {
        self.streamID = streamID
        self.trackID = trackID
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count == 1 || fields.count == 2 else {
            throw SDPParseError(reason: "msid needs \"<stream id> [<track id>]\"")
        }
        self.init(streamID: fields[0], trackID: fields.count == 2 ? fields[1] : nil)
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String {
        trackID.map { "\(streamID) \($0)" } ?? streamID
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("msid", value) }
}
