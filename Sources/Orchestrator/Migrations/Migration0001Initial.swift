/// 0001_initial: the control-plane tables the foundation needs (data-model.md §3). Later
/// migrations add tunnels, streams, webhooks, CAS and archive tables as their issues land.
/// Never edit a released migration: add a new one.
enum Migration0001Initial {
    static let suspendStrategies = ["pause", "snapshot", "terminate_preserve_storage", "release_to_pool", "terminate"]
    static let nameUnique = "(COALESCE(tenant_id,''), name)"

    static let tables: [Table] = [
        Table(
            name: "server_replicas",
            columns: [
                .id(), .text("advertise_addr", notNull: true), .text("api_addr"), .text("version"),
                .timestamp("started_at", defaultNow: true), .timestamp("last_heartbeat_at", defaultNow: true),
            ]),
        Table(
            name: "provider_configs",
            columns: [
                .id(), .text("name", notNull: true),
                .oneOf("provider", ["local", "docker", "kubernetes", "e2b", "pool"]),
                .json("config"), .json("suspend_config"), .bool("is_default", default: false),
            ] + Column.common("TLACU"),
            indexes: [
                "CREATE UNIQUE INDEX provider_configs_name_key ON provider_configs \(nameUnique)",
                "CREATE UNIQUE INDEX provider_configs_default_key ON provider_configs (provider, COALESCE(tenant_id,'')) WHERE is_default",
            ]),
        Table(
            name: "agent_configs",
            columns: [
                .id(), .text("name", notNull: true), .text("agent", notNull: true),
                .text("api_key_encrypted", notNull: true), .text("model"), .text("base_url"), .json("extra"),
                .bool("is_default", default: false),
            ] + Column.common("TLACU"),
            indexes: [
                "CREATE UNIQUE INDEX agent_configs_name_key ON agent_configs \(nameUnique)",
                "CREATE UNIQUE INDEX agent_configs_default_key ON agent_configs (agent, COALESCE(tenant_id,'')) WHERE is_default",
            ]),
        Table(
            name: "profiles",
            columns: [
                .id(), .text("name", notNull: true), .text("description"),
                .ref("provider_config_id", "provider_configs(id)", onDelete: "SET NULL"),
                .json("resources"), .json("network"), .text("init_script"), .text("cleanup_script"),
                .json("tunnels", default: .emptyArray), .json("selector"), .bool("is_builtin", default: false),
            ] + Column.common("TLACU"),
            indexes: ["CREATE UNIQUE INDEX profiles_name_key ON profiles \(nameUnique)"],
            sharedRows: "is_builtin"),
        Table(
            name: "runners",
            columns: [
                .id(), .text("name", notNull: true), .text("hostname", notNull: true),
                .oneOf("status", ["offline", "idle", "busy", "paused"], default: "offline"),
                .bool("tainted", default: false), .text("taint_reason"),
                .oneOf(
                    "sandbox_mode", ["runner-is-sandbox", "runner-creates-sandbox", "none"],
                    default: "runner-is-sandbox"),
                .array("sandbox_types"),
                .ref("provider_config_id", "provider_configs(id)", onDelete: "SET NULL"),
                .text("provider_instance_id"), .text("pool_name"),
                .ref("profile_id", "profiles(id)", onDelete: "SET NULL"),
                .array("capabilities"), .text("agent_version"), .text("os"), .text("arch"),
                .timestamp("last_seen_at"), .text("claim_session_id"), .timestamp("claimed_at"),
                .ref("connected_replica_id", "server_replicas(id)", onDelete: "SET NULL"),
                .timestamp("connected_at"),
            ] + Column.common("TLACU"),
            indexes: [
                "CREATE UNIQUE INDEX runners_name_key ON runners \(nameUnique)",
                "CREATE INDEX runners_status_idx ON runners (status)",
            ]),
        Table(
            name: "manifests",
            columns: [
                .id(), .ref("workspace_id", "workspaces(id)", onDelete: "CASCADE", notNull: true),
                .ref("parent_id", "manifests(id)", onDelete: "SET NULL"), .bigint("total_size", default: 0),
                .bool("single_chunk", default: false), .text("chunk_hash"), .bigint("chunk_count", default: 0),
                .bigint("file_count"), .json("files_json", default: nil), .text("storage_key"),
                .text("tenant_id", notNull: true), .timestamp("created_at", defaultNow: true),
            ],
            indexes: ["CREATE INDEX manifests_workspace_idx ON manifests (workspace_id, created_at)"]),
        Table(
            name: "workspaces",
            columns: [
                .id(), .text("name", notNull: true), .bool("persist", default: true),
                .oneOf("storage_type", ["volume", "pvc", "cas"], default: "volume"), .json("storage_config"),
                .oneOf("mobility", ["local", "shared", "object_sync"], default: "local"),
                .text("storage_domain"), .text("storage_key"), .bigint("storage_size_bytes"),
                .timestamp("last_synced_at"), .ref("latest_manifest_id", "manifests(id)", onDelete: "SET NULL"),
                .int("disk_quota_mb"), .timestamp("expires_at"), .timestamp("deleted_at"),
            ] + Column.common("TLACU"),
            indexes: [
                "CREATE UNIQUE INDEX workspaces_name_key ON workspaces \(nameUnique) WHERE deleted_at IS NULL",
                "CREATE INDEX workspaces_created_idx ON workspaces (created_at, id)",
            ]),
        Table(
            name: "sessions",
            columns: [
                .id(), .text("name"),
                .oneOf("status", ["pending", "active", "suspended", "resuming", "terminated"], default: "pending"),
                .ref("runner_id", "runners(id)", onDelete: "SET NULL"), .text("previous_runner_id"),
                .ref("workspace_id", "workspaces(id)", onDelete: "RESTRICT", notNull: true),
                .ref("profile_id", "profiles(id)", onDelete: "SET NULL"),
                .text("agent", notNull: true), .text("agent_version"), .bool("is_byok", default: false),
                .oneOf("permission_policy", ["ask", "auto"], default: "ask"),
                .ref("agent_config_id", "agent_configs(id)", onDelete: "SET NULL"),
                .json("agent_config_metadata", default: nil), .json("context_snapshot", default: nil),
                .oneOf("suspend_strategy", suspendStrategies, notNull: false),
                .oneOf(
                    "suspend_reason",
                    [
                        "user_request", "idle_timeout", "permission_timeout", "runner_disconnected",
                        "runner_reassigned", "scheduled", "max_lifetime", "admin",
                    ], notNull: false),
                .text("suspend_snapshot_id"), .bool("suspend_workspace_synced"), .text("workspace_manifest_id"),
                .oneOf("network_policy", ["none", "allow_list", "proxy", "air_gapped"], default: "allow_list"),
                .array("allowed_hosts"),
                .oneOf("lifecycle_mode", ["on_demand", "always_on", "scheduled"], default: "on_demand"),
                .int("idle_timeout_seconds", default: 1800), .int("max_lifetime_seconds"),
                .text("schedule_cron"), .text("schedule_timezone", default: "UTC"),
                .timestamp("next_scheduled_at"), .timestamp("last_activity_at"), .timestamp("suspended_at"),
                .timestamp("resumed_at"), .timestamp("terminated_at"),
            ] + Column.common("TLACU"),
            constraints: ["CHECK (lifecycle_mode <> 'scheduled' OR schedule_cron IS NOT NULL)"],
            indexes: [
                "CREATE UNIQUE INDEX sessions_active_runner_key ON sessions (runner_id) WHERE runner_id IS NOT NULL AND status = 'active'",
                "CREATE INDEX sessions_status_idx ON sessions (status)",
                "CREATE INDEX sessions_workspace_idx ON sessions (workspace_id)",
                "CREATE INDEX sessions_created_idx ON sessions (created_at, id)",
                "CREATE INDEX sessions_scheduled_idx ON sessions (next_scheduled_at) WHERE lifecycle_mode = 'scheduled'",
            ]),
        Table(
            name: "scheduled_tasks",
            columns: [
                .id(), .ref("session_id", "sessions(id)", onDelete: "CASCADE", notNull: true),
                .text("name", notNull: true), .text("description"), .text("cron_expression", notNull: true),
                .text("timezone", default: "UTC"), .text("prompt_template", notNull: true),
                .int("timeout_seconds", default: 3600), .int("max_retries", default: 0),
                .oneOf("status", ["active", "paused", "disabled"], default: "active"),
                .timestamp("next_run_at"), .timestamp("last_run_at"),
                .ref("last_task_id", "tasks(id)", onDelete: "SET NULL"), .int("run_count", default: 0),
                .int("failure_count", default: 0),
                .oneOf("on_failure", ["continue", "pause_on_failure", "disable_on_failure"], default: "continue"),
                .int("max_consecutive_failures", default: 3), .int("consecutive_failures", default: 0),
            ] + Column.common("TLACU"),
            indexes: ["CREATE INDEX scheduled_tasks_due_idx ON scheduled_tasks (status, next_run_at)"]),
        Table(
            name: "tasks",
            columns: [
                .id(), .ref("session_id", "sessions(id)", onDelete: "CASCADE", notNull: true),
                .text("prompt", notNull: true),
                .oneOf("status", ["pending", "running", "completed", "failed", "canceled"], default: "pending"),
                .ref("continue_from", "tasks(id)", onDelete: "SET NULL"),
                .ref("scheduled_task_id", "scheduled_tasks(id)", onDelete: "SET NULL"),
                .int("max_retries", default: 0), .int("retry_count", default: 0),
                .int("timeout_seconds", default: 3600), .timestamp("next_dispatch_after"),
                .int("dispatch_attempts", default: 0), .text("dispatch_parked_reason"),
            ] + Column.common("TLACU"),
            indexes: [
                "CREATE INDEX tasks_session_idx ON tasks (session_id, status, created_at)",
                "CREATE INDEX tasks_dispatch_idx ON tasks (status, next_dispatch_after)",
                "CREATE INDEX tasks_created_idx ON tasks (created_at, id)",
            ]),
        Table(
            name: "task_runs",
            columns: [
                .id(), .ref("task_id", "tasks(id)", onDelete: "CASCADE", notNull: true),
                .int("attempt", default: 1), .ref("runner_id", "runners(id)", onDelete: "SET NULL"),
                .oneOf(
                    "status", ["pending", "assigned", "running", "completed", "failed", "timeout", "canceled"],
                    default: "pending"),
                .text("error"), .int("exit_code"), .bigint("tokens_input"), .bigint("tokens_output"),
                .double("cost_usd"), .bigint("last_log_sequence"), .bigint("stored_log_sequence", default: 0),
                .text("tenant_id"), .timestamp("queued_at", defaultNow: true), .timestamp("assigned_at"),
                .timestamp("started_at"), .timestamp("ended_at"), .timestamp("updated_at", defaultNow: true),
            ],
            constraints: ["UNIQUE (task_id, attempt)"]),
        Table(
            name: "permission_requests",
            columns: [
                .id(), .text("original_request_id", notNull: true),
                .ref("session_id", "sessions(id)", onDelete: "CASCADE", notNull: true),
                .ref("task_id", "tasks(id)", onDelete: "CASCADE", notNull: true),
                .ref("run_id", "task_runs(id)", onDelete: "CASCADE", notNull: true),
                .text("tool", notNull: true), .text("action", notNull: true), .text("context"),
                .oneOf("risk_level", ["low", "medium", "high", "critical"], default: "medium"),
                .oneOf("status", ["pending", "approved", "denied", "canceled"], default: "pending"),
                .int("suspend_after_seconds", default: 1800), .text("responded_by"), .text("response_reason"),
                .timestamp("responded_at"), .timestamp("delivered_at"), .text("tenant_id"),
                .timestamp("created_at", defaultNow: true), .timestamp("updated_at", defaultNow: true),
            ],
            constraints: ["UNIQUE (run_id, original_request_id)"],
            indexes: [
                "CREATE INDEX permission_requests_session_idx ON permission_requests (session_id, status)",
                "CREATE INDEX permission_requests_status_idx ON permission_requests (status, created_at)",
            ]),
        Table(
            name: "logs",
            columns: [
                .id(), .text("session_id", notNull: true), .text("task_id", notNull: true),
                .text("run_id", notNull: true), .text("runner_id", notNull: true),
                .oneOf("stream", ["stdout", "stderr", "system"], default: "stdout"),
                .oneOf("level", ["debug", "info", "warn", "error"], default: "info"),
                .text("content", notNull: true), .bigint("sequence", notNull: true), .timestamp("emitted_at"),
                .json("metadata"), .text("tenant_id"), .timestamp("created_at", defaultNow: true),
            ],
            constraints: ["UNIQUE (run_id, sequence)"],
            indexes: ["CREATE INDEX logs_task_idx ON logs (task_id, created_at)"]),
        Table(
            name: "api_keys",
            columns: [
                .id(), .text("name", notNull: true),
                Column(name: "key_hash", kind: .text, notNull: true, unique: true),
                .text("key_prefix", notNull: true), .int("hash_version", default: 1), .array("scopes"),
            ] + Column.common("TLAC") + [
                .text("created_by"), .timestamp("last_used_at"), .timestamp("expires_at"),
                .timestamp("revoked_at"), .text("revoke_reason"),
            ],
            indexes: ["CREATE INDEX api_keys_created_idx ON api_keys (created_at, id)"]),
        Table(
            name: "runner_tokens",
            columns: [
                .id(), Column(name: "token_hash", kind: .text, notNull: true, unique: true),
                .text("token_prefix", notNull: true), .int("hash_version", default: 1),
                .ref("runner_id", "runners(id)", onDelete: "CASCADE"), .text("pool_name", notNull: true),
                .oneOf("status", ["active", "rotating", "revoked", "expired"], default: "active"),
                .text("previous_token_hash"), .timestamp("rotation_deadline"),
            ] + Column.common("TLC") + [
                .text("created_by"), .timestamp("last_used_at"), .timestamp("expires_at"),
                .timestamp("revoked_at"), .text("revoke_reason"),
            ],
            indexes: ["CREATE INDEX runner_tokens_previous_idx ON runner_tokens (previous_token_hash)"]),
        Table(
            name: "action_logs",
            columns: [
                .id(), .oneOf("actor_type", ["user", "api_key", "system", "runner"]), .text("actor_id"),
                .text("actor_name"), .text("action", notNull: true), .text("resource_type", notNull: true),
                .text("resource_id", notNull: true), .text("session_id"), .text("task_id"), .json("details"),
                .text("ip_address"), .text("user_agent"), .bool("success", default: true), .text("error_message"),
                .text("tenant_id"), .timestamp("created_at", defaultNow: true),
            ],
            indexes: [
                "CREATE INDEX action_logs_created_idx ON action_logs (created_at)",
                "CREATE INDEX action_logs_action_idx ON action_logs (action)",
                "CREATE INDEX action_logs_resource_idx ON action_logs (resource_type, resource_id)",
                "CREATE INDEX action_logs_session_idx ON action_logs (session_id)",
            ]),
        Table(
            name: "data_keys",
            columns: [
                .id(), .text("resource_type", notNull: true), .text("resource_id", notNull: true),
                .text("dek_encrypted", notNull: true), .text("algorithm", default: "AES-256-GCM"), .text("kek_id"),
                .text("tenant_id"), .timestamp("created_at", defaultNow: true), .timestamp("rotated_at"),
                .timestamp("updated_at", defaultNow: true),
            ],
            constraints: ["UNIQUE (resource_type, resource_id)"]),
    ]

    /// Built-in profiles (data-model.md §3.3): tenant NULL, read-only, visible to every tenant.
    static func builtinProfiles(dialect: SQLDialect) -> [String] {
        let hosts = """
            ["github.com","api.github.com","codeload.github.com","objects.githubusercontent.com","registry.npmjs.org",\
            "pypi.org","files.pythonhosted.org","proxy.golang.org","sum.golang.org","api.anthropic.com","api.openai.com"]
            """
        let allow = "{\"level\":\"allow_list\",\"allowed_hosts\":\(hosts),\"allowed_ports\":[80,443]}"
        let rows: [(String, String, Int, Int, Int, Int, String, String)] = [
            ("dev-small", "Small development runner", 2, 4096, 20480, 0, allow, "[]"),
            ("dev-medium", "Medium development runner", 4, 8192, 51200, 0, allow, "[]"),
            ("dev-large", "Large development runner", 8, 16384, 102400, 0, allow, "[]"),
            ("ml-gpu", "Machine learning runner with one GPU", 8, 32768, 204800, 1, allow, "[]"),
            ("web-dev", "Web development with a desktop stream", 4, 8192, 51200, 0, allow, "[{\"type\":\"desktop\"}]"),
            ("android-dev", "Android development with an emulator stream", 4, 8192, 51200, 0, allow,
                "[{\"type\":\"android\"}]"),
            ("secure", "Air-gapped runner", 2, 4096, 20480, 0, "{\"level\":\"air_gapped\"}", "[]"),
        ]
        let cast = dialect == .postgres ? "::jsonb" : ""
        let yes = dialect == .postgres ? "true" : "1"
        return rows.map { row in
            let resources = "{\"cpus\":\(row.2),\"memory_mb\":\(row.3),\"disk_mb\":\(row.4),\"gpus\":\(row.5)}"
            return "INSERT INTO profiles (id, name, description, resources, network, tunnels, is_builtin) VALUES "
                + "('prof_builtin_\(row.0)', '\(row.0)', '\(row.1)', '\(resources)'\(cast), '\(row.6)'\(cast), "
                + "'\(row.7)'\(cast), \(yes))"
        }
    }

    static func statements(dialect: SQLDialect) -> [String] {
        DDL.render(tables, dialect: dialect) + builtinProfiles(dialect: dialect)
    }
}
