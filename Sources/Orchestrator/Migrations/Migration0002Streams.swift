/// 0002_streams: `streams` and `stream_tokens` (data-model.md §3.23, §3.24). Both tables carry
/// `tenant_id`, so `DDL.render` gives them row-level security on PostgreSQL like 0001's tables.
/// Never edit a released migration: add a new one.
enum Migration0002Streams {
    static let types = ["testsrc", "desktop", "android", "webrtc", "browser", "ios"]
    static let states = ["pending", "starting", "active", "paused", "stopping", "stopped", "failed"]
    static let providers = ["testsrc", "x11", "scrcpy", "whip", "cdp"]
    static let roles = ["view", "control", "publish"]

    /// `name IS NULL OR name > 0`: sizes, rates and bitrates are positive when set.
    static func positive(_ name: String) -> Column { .int(name, check: "\(name) IS NULL OR \(name) > 0") }

    static let tables: [Table] = [
        Table(
            name: "streams",
            columns: [
                .id(), .ref("session_id", "sessions(id)", onDelete: "CASCADE", notNull: true),
                .ref("runner_id", "runners(id)", onDelete: "SET NULL"),
                .oneOf("type", types), .oneOf("state", states, default: "pending"),
                .oneOf("provider_name", providers), .text("provider_stream_id"),
                positive("resolution_width"), positive("resolution_height"), positive("frame_rate"),
                positive("max_size"), positive("bitrate_kbps"), .text("video_codec"), .text("audio_codec"),
                .bool("audio_enabled", default: false), .bool("input_enabled", default: false),
                .text("display"), .text("device_serial"), .json("ice_servers", default: .emptyArray),
                .text("error"), .text("error_code"), .json("metadata"),
                .timestamp("started_at"), .timestamp("stopped_at"), .timestamp("expires_at"),
            ] + Column.common("TLCU"),
            indexes: [
                "CREATE INDEX streams_session_idx ON streams (session_id, state)",
                "CREATE INDEX streams_created_idx ON streams (created_at, id)",
                // The TTL sweeper (orchestration.md) looks for live streams past their expiry.
                "CREATE INDEX streams_expires_idx ON streams (expires_at) WHERE expires_at IS NOT NULL",
            ]),
        Table(
            name: "stream_tokens",
            columns: [
                .id(), .ref("stream_id", "streams(id)", onDelete: "CASCADE", notNull: true),
                Column(name: "token_hash", kind: .text, notNull: true, unique: true),
                .text("token_prefix", notNull: true), .int("hash_version", default: 1), .oneOf("role", roles),
                .text("tenant_id"), .timestamp("created_at", defaultNow: true), .text("created_by"),
                .timestamp("expires_at", notNull: true), .timestamp("revoked_at"), .timestamp("last_used_at"),
            ],
            indexes: ["CREATE INDEX stream_tokens_stream_idx ON stream_tokens (stream_id)"]),
    ]

    static func statements(dialect: SQLDialect) -> [String] {
        DDL.render(tables, dialect: dialect)
    }
}
