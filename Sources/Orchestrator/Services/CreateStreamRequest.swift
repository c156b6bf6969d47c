import Core

/// Body of `POST /sessions/{id}/streams` (api.md §10.1). Every field is optional at decode time so
/// the service can name a missing or bad field. The spec's input aliases are accepted; when an alias
/// and its canonical name are both sent, the canonical name wins.
public struct CreateStreamRequest: Decodable, Sendable {
    public var type: String?
    public var width: Int?
    public var height: Int?
    public var maxSize: Int?
    public var fps: Int?
    public var bitrateKbps: Int?
    public var videoCodec: String?
    public var audio: Bool?
    public var input: Bool?
    public var display: String?
    public var xvfb: Bool?
    public var serial: String?
    public var ttlSeconds: Int?
    public var labels: [String: String]?

    public init(type: String? = nil) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case type, width, height, maxSize = "max_size", fps, bitrateKbps = "bitrate_kbps"
        case videoCodec = "video_codec", audio, input, display, xvfb, serial, ttlSeconds = "ttl_seconds", labels
        // Aliases (input only).
        case frameRate = "frame_rate", maxFPS = "max_fps", codec, audioEnabled = "audio_enabled"
        case inputEnabled = "input_enabled", control, deviceSerial = "device_serial"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func first<T: Decodable>(_ type: T.Type, _ keys: CodingKeys...) throws -> T? {
            for key in keys { if let value = try c.decodeIfPresent(type, forKey: key) { return value } }
            return nil
        }
        type = try c.decodeIfPresent(String.self, forKey: .type)
        width = try c.decodeIfPresent(Int.self, forKey: .width)
        height = try c.decodeIfPresent(Int.self, forKey: .height)
        maxSize = try c.decodeIfPresent(Int.self, forKey: .maxSize)
        fps = try first(Int.self, .fps, .frameRate, .maxFPS)
        bitrateKbps = try c.decodeIfPresent(Int.self, forKey: .bitrateKbps)
        videoCodec = try first(String.self, .videoCodec, .codec)
        audio = try first(Bool.self, .audio, .audioEnabled)
        input = try first(Bool.self, .input, .inputEnabled, .control)
        display = try c.decodeIfPresent(String.self, forKey: .display)
        xvfb = try c.decodeIfPresent(Bool.self, forKey: .xvfb)
        serial = try first(String.self, .serial, .deviceSerial)
        ttlSeconds = try c.decodeIfPresent(Int.self, forKey: .ttlSeconds)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
    }
}

/// Body of `POST /streams/{id}/tokens`: `{"role": "view"|"control"|"publish", "ttl_seconds"}`.
public struct CreateStreamTokenRequest: Decodable, Sendable {
    public var role: String?
    public var ttlSeconds: Int?

    public init(role: String? = nil, ttlSeconds: Int? = nil) {
        self.role = role
        self.ttlSeconds = ttlSeconds
    }

    enum CodingKeys: String, CodingKey { case role, ttlSeconds = "ttl_seconds" }
}

/// `{"token", "role", "expires_at"}`: the only response carrying a minted stream token.
public struct CreatedStreamToken: Encodable, Sendable, Equatable {
    public var token: String
    public var role: String
    public var expiresAt: Timestamp

    enum CodingKeys: String, CodingKey { case token, role, expiresAt = "expires_at" }
}
