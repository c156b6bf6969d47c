import Core

/// The Stream object of api.md §12: the stored record plus the URLs derived from the server's
/// public URL, the live counters (zero until the SFU reports them) and, in the create response
/// only, the one-time tokens.
public struct StreamResource: Sendable, Encodable, Equatable {
    public var record: StreamRecord
    public var whepURL: String
    public var whipURL: String?
    public var viewerURL: String
    public var inputURL: String
    public var viewerCount = 0
    public var publisherConnected = false
    public var viewerToken: String?
    public var publishToken: String?

    public init(_ record: StreamRecord, publicURL: String) {
        let base = Self.trimmed(publicURL)
        let api = base + "/api/v1/streams/" + record.id
        self.record = record
        whepURL = api + "/whep"
        whipURL = record.type == "webrtc" ? api + "/whip" : nil
        viewerURL = base + "/streams/" + record.id + "/view"
        inputURL = Self.webSocketBase(base) + "/api/v1/streams/" + record.id + "/input"
    }

    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The input endpoint is a WebSocket: `http` → `ws`, `https` → `wss`.
    static func webSocketBase(_ base: String) -> String {
        if base.hasPrefix("https://") { return "wss://" + base.dropFirst(8) }
        if base.hasPrefix("http://") { return "ws://" + base.dropFirst(7) }
        return base
    }

    enum CodingKeys: String, CodingKey {
        case viewerCount = "viewer_count", publisherConnected = "publisher_connected", whepURL = "whep_url"
        case whipURL = "whip_url", viewerURL = "viewer_url", inputURL = "input_url", viewerToken = "viewer_token"
        case publishToken = "publish_token"
    }

    /// The record's fields, then the derived ones into the same JSON object.
    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(viewerCount, forKey: .viewerCount)
        try c.encode(publisherConnected, forKey: .publisherConnected)
        try c.encode(whepURL, forKey: .whepURL)
        try c.encodeIfPresent(whipURL, forKey: .whipURL)
        try c.encode(viewerURL, forKey: .viewerURL)
        try c.encode(inputURL, forKey: .inputURL)
        try c.encodeIfPresent(viewerToken, forKey: .viewerToken)
        try c.encodeIfPresent(publishToken, forKey: .publishToken)
    }
}
