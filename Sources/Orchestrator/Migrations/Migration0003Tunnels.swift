/// 0003_tunnels: `tunnels` (data-model.md §3.20). The table carries `tenant_id`, so `DDL.render`
/// gives it row-level security on PostgreSQL like the earlier tables. Never edit a released
/// migration: add a new one.
enum Migration0003Tunnels {
    static let types = ["http", "tcp"]
    static let closeReasons = ["closed", "expired", "session_suspended", "session_terminated", "runner_closed"]

    static let tables: [Table] = [
        Table(
            name: "tunnels",
            columns: [
                .id(), .ref("session_id", "sessions(id)", onDelete: "CASCADE", notNull: true),
                .ref("runner_id", "runners(id)", onDelete: "SET NULL"),
                .oneOf("type", types), .oneOf("direction", ["outbound"], default: "outbound"),
                .int("local_port", notNull: true, check: "local_port BETWEEN 1 AND 65535"),
                .text("public_url"), .bool("is_public", default: false),
                .text("host_label", notNull: true), .text("public_host"),
                .int("public_port", check: "public_port IS NULL OR public_port BETWEEN 1 AND 65535"),
                .oneOf("host_header_mode", ["rewrite", "preserve"], default: "rewrite"),
                .array("allow_cidrs"),
                Column(name: "token_hash", kind: .text, notNull: true, unique: true),
                .text("token_prefix"), .int("hash_version", default: 1),
                .timestamp("expires_at", notNull: true), .timestamp("closed_at"),
                .oneOf("close_reason", closeReasons, notNull: false),
                .timestamp("last_activity_at"),
            ] + Column.common("TLCU"),
            indexes: [
                "CREATE INDEX tunnels_session_idx ON tunnels (session_id, closed_at)",
                "CREATE INDEX tunnels_created_idx ON tunnels (created_at, id)",
                // Hostnames are matched case-insensitively: one open tunnel per lower-cased label.
                "CREATE UNIQUE INDEX tunnels_host_label_open_idx ON tunnels (host_label) WHERE closed_at IS NULL",
                "CREATE UNIQUE INDEX tunnels_public_port_open_idx ON tunnels (public_port) "
                    + "WHERE closed_at IS NULL AND public_port IS NOT NULL",
                // The expiry sweeper looks for open tunnels past their expiry.
                "CREATE INDEX tunnels_expires_idx ON tunnels (expires_at) WHERE closed_at IS NULL",
            ]),
    ]

    static func statements(dialect: SQLDialect) -> [String] {
        DDL.render(tables, dialect: dialect)
    }
}
