/// The SFU's answer: the SDP to return with `201 Created` and the parameters the media path uses.
public struct SDPAnswer: Sendable, Hashable {
    public var session: SDPSession
    public var negotiation: SDPNegotiation

    public init(session: SDPSession, negotiation: SDPNegotiation) {
        self.session = session
        self.negotiation = negotiation
    }

    /// `application/sdp` body, CRLF line ends.
    public var text: String { session.text }
}
