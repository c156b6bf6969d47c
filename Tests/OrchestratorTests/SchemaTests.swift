import Core
import Testing

@testable import Orchestrator

@Suite struct SchemaTests {
    /// Golden column lists (data-model.md §3), per table.
    static let golden: [String: [String]] = [
        "sessions": [
            "id", "name", "status", "runner_id", "previous_runner_id", "workspace_id", "profile_id", "agent",
            "agent_version", "is_byok", "permission_policy", "agent_config_id", "agent_config_metadata",
            "context_snapshot", "suspend_strategy", "suspend_reason", "suspend_snapshot_id", "suspend_workspace_synced",
            "workspace_manifest_id", "network_policy", "allowed_hosts", "lifecycle_mode", "idle_timeout_seconds",
            "max_lifetime_seconds", "schedule_cron", "schedule_timezone", "next_scheduled_at", "last_activity_at",
            "suspended_at", "resumed_at", "terminated_at", "tenant_id", "labels", "annotations", "created_at",
            "updated_at",
        ],
        "tasks": [
            "id", "session_id", "prompt", "status", "continue_from", "scheduled_task_id", "max_retries", "retry_count",
            "timeout_seconds", "next_dispatch_after", "dispatch_attempts", "dispatch_parked_reason", "tenant_id",
            "labels", "annotations", "created_at", "updated_at",
        ],
        "task_runs": [
            "id", "task_id", "attempt", "runner_id", "status", "error", "exit_code", "tokens_input", "tokens_output",
            "cost_usd", "last_log_sequence", "stored_log_sequence", "tenant_id", "queued_at", "assigned_at",
            "started_at", "ended_at", "updated_at",
        ],
        "api_keys": [
            "id", "name", "key_hash", "key_prefix", "hash_version", "scopes", "tenant_id", "labels", "annotations",
            "created_at", "created_by", "last_used_at", "expires_at", "revoked_at", "revoke_reason",
        ],
        "logs": [
            "id", "session_id", "task_id", "run_id", "runner_id", "stream", "level", "content", "sequence",
            "emitted_at", "metadata", "tenant_id", "created_at",
        ],
        "workspaces": [
            "id", "name", "persist", "storage_type", "storage_config", "mobility", "storage_domain", "storage_key",
            "storage_size_bytes", "last_synced_at", "latest_manifest_id", "disk_quota_mb", "expires_at", "deleted_at",
            "tenant_id", "labels", "annotations", "created_at", "updated_at",
        ],
        "streams": [
            "id", "session_id", "runner_id", "type", "state", "provider_name", "provider_stream_id",
            "resolution_width", "resolution_height", "frame_rate", "max_size", "bitrate_kbps", "video_codec",
            "audio_codec", "audio_enabled", "input_enabled", "display", "device_serial", "ice_servers", "error",
            "error_code", "metadata", "started_at", "stopped_at", "expires_at", "tenant_id", "labels", "created_at",
            "updated_at",
        ],
        "stream_tokens": [
            "id", "stream_id", "token_hash", "token_prefix", "hash_version", "role", "tenant_id", "created_at",
            "created_by", "expires_at", "revoked_at", "last_used_at",
        ],
    ]

    static func columns(_ store: Store, table: String) async throws -> [String] {
        try await store.database.read(.system) { db in
            switch db.dialect {
            case .sqlite:
                return try await db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
                    .compactMap { $0.string("name") }
            case .postgres:
                return try await db.query(
                    "SELECT column_name::text AS name FROM information_schema.columns WHERE table_name = ? "
                        + "AND table_schema = current_schema() ORDER BY ordinal_position",
                    [.text(table)]
                ).compactMap { $0.string("name") }
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func everyTableHasTheSpecColumnsOnBothEngines(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            for table in Migration0001Initial.tables + Migration0002Streams.tables {
                let actual = try await Self.columns(store, table: table.name)
                #expect(actual == table.columns.map(\.name), "table \(table.name)")
                if let golden = Self.golden[table.name] {
                    #expect(Set(actual) == Set(golden), "table \(table.name) differs from data-model.md")
                }
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func migrationsAreIdempotentAndRecorded(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let again = try await Migrations.apply(to: store.database, logger: TestDatabases.logger)
            #expect(again.isEmpty)
            let version = try await store.database.read(.system) {
                try await $0.first("SELECT MAX(version) AS v FROM schema_migrations")?.int("v")
            }
            #expect(version == Migrations.latestVersion)
        }
    }

    @Test(arguments: Engine.allCases)
    func logsStoredBeforeMigration7AreKeptAndKeyedByRunAndSequence(_ engine: Engine) async throws {
        try await TestDatabases.with(engine, migrations: 6) { store in
            let now = Timestamp(milliseconds: 1_700_000_000_000)
            try await store.database.transaction(.system) { db in
                for sequence in 1...3 {
                    try await db.execute(
                        """
                        INSERT INTO logs (id, session_id, task_id, run_id, runner_id, stream, level, content, sequence,
                          emitted_at, metadata, tenant_id, created_at)
                        VALUES (?, 'sess_1', 'task_1', 'trun_1', 'run_1', 'stderr', 'warn', ?, ?, ?, ?, NULL, ?)
                        """,
                        [.text("log_\(sequence)"), .text("line \(sequence)"), .int(sequence), .timestamp(now),
                         .json(#"{"k":"v"}"#), .timestamp(now)])
                }
            }
            try await Migrations.apply(to: store.database, logger: TestDatabases.logger)
            let rows = try await store.database.read(.system) { db in
                try await db.query("SELECT * FROM logs WHERE run_id = 'trun_1' ORDER BY sequence", [])
            }
            #expect(rows.map { $0.string("id") } == ["log_1", "log_2", "log_3"])
            #expect(rows.map { $0.string("content") } == ["line 1", "line 2", "line 3"])
            #expect(rows.allSatisfy { $0.string("stream") == "stderr" && $0.string("level") == "warn" && $0.string("task_id") == "task_1" })
            #expect(rows.first?.timestamp("created_at") == now)
            // Still one line per (run, sequence), and the checks still hold.
            await #expect(throws: (any Error).self) {
                try await store.database.transaction(.system) { db in
                    try await db.execute(
                        "INSERT INTO logs (id, session_id, task_id, run_id, runner_id, content, sequence) "
                            + "VALUES ('log_x', 's', 't', 'trun_1', 'r', 'again', 2)")
                }
            }
            await #expect(throws: (any Error).self) {
                try await store.database.transaction(.system) { db in
                    try await db.execute(
                        "INSERT INTO logs (id, session_id, task_id, run_id, runner_id, stream, content, sequence) "
                            + "VALUES ('log_y', 's', 't', 'trun_1', 'r', 'stdin', 'bad stream', 9)")
                }
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func refusesASchemaNewerThanTheBinary(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            try await store.database.transaction(.system) {
                try await $0.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', ?)",
                    [.timestamp(Timestamp(milliseconds: 0))])
            }
            await #expect(throws: DatabaseError.self) {
                try await Migrations.apply(to: store.database, logger: TestDatabases.logger)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func builtinProfilesExist(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let names = try await store.database.read(.system) {
                try await $0.query("SELECT name FROM profiles WHERE is_builtin = ? ORDER BY name", [.bool(true)])
                    .compactMap { $0.string("name") }
            }
            #expect(names == ["android-dev", "dev-large", "dev-medium", "dev-small", "ml-gpu", "secure", "web-dev"])
        }
    }

    @Test func postgresPlaceholdersAreNumberedOutsideLiterals() {
        #expect(PostgresExecutor.numberPlaceholders("SELECT ? , '?', ?") == "SELECT $1 , '?', $2")
    }
}
