import Core
import Foundation

/// A row of `streams` (data-model.md §3.23). It encodes the stored part of the API's Stream
/// object (internal columns such as the tenant and provider ids never); `StreamResource` adds the
/// derived URLs, live counters and one-time tokens.
public struct StreamRecord: Sendable, Encodable, Equatable {
    public var id: String
    public var sessionID: String
    public var runnerID: String?
    public var type: String
    public var state: String
    public var providerName: String
    public var providerStreamID: String?
    public var width: Int?
    public var height: Int?
    public var fps: Int?
    public var maxSize: Int?
    public var bitrateKbps: Int?
    public var videoCodec: String?
    public var audioCodec: String?
    public var audio: Bool
    public var input: Bool
    public var display: String?
    public var serial: String?
    public var iceServers: [IceServer]
    public var error: String?
    public var errorCode: String?
    public var metadata: [String: MetadataValue]
    public var labels: [String: String]
    public var tenantID: String?
    public var startedAt: Timestamp?
    public var stoppedAt: Timestamp?
    public var expiresAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id, sessionID = "session_id", runnerID = "runner_id", type, state, width, height, fps
        case maxSize = "max_size", bitrateKbps = "bitrate_kbps", videoCodec = "video_codec"
        case audioCodec = "audio_codec", audio, input, display, serial, iceServers = "ice_servers", error
        case errorCode = "error_code", metadata, labels, startedAt = "started_at", stoppedAt = "stopped_at"
        case expiresAt = "expires_at", createdAt = "created_at", updatedAt = "updated_at"
    }

    public var machineState: StreamStateMachine.State { StreamStateMachine.State(rawValue: state) ?? .failed }

    init(row: SQLRow) throws {
        id = try row.requiredString("id")
        sessionID = try row.requiredString("session_id")
        runnerID = row.string("runner_id")
        type = try row.requiredString("type")
        state = try row.requiredString("state")
        providerName = try row.requiredString("provider_name")
        providerStreamID = row.string("provider_stream_id")
        width = row.int("resolution_width")
        height = row.int("resolution_height")
        fps = row.int("frame_rate")
        maxSize = row.int("max_size")
        bitrateKbps = row.int("bitrate_kbps")
        videoCodec = row.string("video_codec")
        audioCodec = row.string("audio_codec")
        audio = row.bool("audio_enabled")
        input = row.bool("input_enabled")
        display = row.string("display")
        serial = row.string("device_serial")
        iceServers = row.string("ice_servers").flatMap { try? JSONDecoder().decode([IceServer].self, from: Data($0.utf8)) } ?? []
        error = row.string("error")
        errorCode = row.string("error_code")
        metadata = row.string("metadata").flatMap {
            try? JSONDecoder().decode([String: MetadataValue].self, from: Data($0.utf8))
        } ?? [:]
        labels = row.stringMap("labels")
        tenantID = row.string("tenant_id")
        startedAt = row.timestamp("started_at")
        stoppedAt = row.timestamp("stopped_at")
        expiresAt = row.timestamp("expires_at")
        createdAt = try row.requiredTimestamp("created_at")
        updatedAt = try row.requiredTimestamp("updated_at")
    }
}

/// One ICE server handed to viewers (`ice_servers[]`).
public struct IceServer: Sendable, Codable, Equatable {
    public var urls: [String]
    public var username: String?
    public var credential: String?

    public init(urls: [String], username: String? = nil, credential: String? = nil) {
        self.urls = urls
        self.username = username
        self.credential = credential
    }
}
