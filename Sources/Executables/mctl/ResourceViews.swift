import Client
import Foundation

/// How a resource prints in table mode: list columns and `get` fields.
struct ResourceView: Sendable {
    struct Column: Sendable {
        let header: String
        let value: @Sendable (JSONValue) -> String
    }

    let plural: String
    let columns: [Column]
    let fields: @Sendable (JSONValue) -> [(String, String)]
}

// MARK: - Cell and field helpers

private let placeholder = "-"

/// A scalar member as text, `-` when absent or empty.
func cell(_ item: JSONValue, _ key: String) -> String {
    guard let value = item[key], !value.isNull else { return placeholder }
    let text = value.displayString
    return text.isEmpty ? placeholder : TextTruncation.cell(text)
}

/// A timestamp member as relative time, `absent` when missing.
func timeCell(_ item: JSONValue, _ key: String, absent: String = placeholder) -> String {
    guard let text = item[key]?.stringValue, !text.isEmpty else { return absent }
    return RelativeTime.format(timestamp: text)
}

/// Builds `Field: value` lines, skipping absent members.
struct FieldList {
    let item: JSONValue
    private(set) var pairs: [(String, String)] = []

    init(_ item: JSONValue) { self.item = item }

    mutating func add(_ label: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        pairs.append((label, value))
    }

    mutating func text(_ label: String, _ key: String) {
        guard let value = item[key], !value.isNull else { return }
        add(label, value.displayString)
    }

    mutating func seconds(_ label: String, _ key: String) {
        guard let seconds = item[key]?.intValue else { return }
        add(label, "\(seconds)s" + (seconds >= 60 ? " (\(DurationParser.format(seconds: seconds)))" : ""))
    }

    mutating func time(_ label: String, _ key: String) {
        guard let text = item[key]?.stringValue, !text.isEmpty else { return }
        if Timestamp.parse(text) != nil {
            add(label, "\(text) (\(RelativeTime.format(timestamp: text)))")
        } else {
            add(label, text)
        }
    }

    mutating func list(_ label: String, _ key: String) {
        guard let values = item[key]?.arrayValue, !values.isEmpty else { return }
        add(label, values.map(\.displayString).joined(separator: ", "))
    }

    mutating func map(_ label: String, _ key: String) {
        guard let object = item[key]?.objectValue, !object.isEmpty else { return }
        add(label, object.map { "\($0.key)=\($0.value.displayString)" }.joined(separator: ", "))
    }

    mutating func bool(_ label: String, _ key: String) {
        guard let value = item[key]?.boolValue else { return }
        add(label, value ? "yes" : "no")
    }
}

/// Human size of a byte count.
func byteSize(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

// MARK: - Views

enum Views {
    static let session = ResourceView(
        plural: "sessions",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "AGENT") { cell($0, "agent") },
            .init(header: "RUNNER") { cell($0, "runner_id") },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.text("Status", "status")
            f.text("Agent", "agent")
            f.text("Agent Version", "agent_version")
            f.text("Agent Config", "agent_config_id")
            f.bool("BYOK", "is_byok")
            f.text("Permission Policy", "permission_policy")
            f.text("Runner", "runner_id")
            f.text("Previous Runner", "previous_runner_id")
            f.text("Workspace", "workspace_id")
            f.text("Profile", "profile_id")
            f.text("Network Policy", "network_policy")
            f.list("Allowed Hosts", "allowed_hosts")
            f.text("Lifecycle", "lifecycle_mode")
            f.seconds("Idle Timeout", "idle_timeout_seconds")
            f.seconds("Max Lifetime", "max_lifetime_seconds")
            f.text("Schedule", "schedule_cron")
            f.text("Schedule Timezone", "schedule_timezone")
            f.time("Next Scheduled", "next_scheduled_at")
            f.text("Suspend Strategy", "suspend_strategy")
            f.text("Suspend Reason", "suspend_reason")
            f.map("Labels", "labels")
            f.map("Annotations", "annotations")
            f.time("Last Activity", "last_activity_at")
            f.time("Suspended", "suspended_at")
            f.time("Resumed", "resumed_at")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    static let task = ResourceView(
        plural: "tasks",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "SESSION") { cell($0, "session_id") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "PROMPT") { cell($0, "prompt") },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Session", "session_id")
            f.text("Status", "status")
            f.text("Prompt", "prompt")
            f.text("Continue From", "continue_from")
            if let retries = item["retry_count"]?.intValue, let max = item["max_retries"]?.intValue {
                f.add("Retries", "\(retries)/\(max)")
            }
            f.seconds("Timeout", "timeout_seconds")
            f.text("Parked", "dispatch_parked_reason")
            f.map("Labels", "labels")
            f.map("Annotations", "annotations")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    static let taskRun = ResourceView(
        plural: "runs",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "ATTEMPT") { cell($0, "attempt") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "RUNNER") { cell($0, "runner_id") },
            .init(header: "EXIT") { cell($0, "exit_code") },
            .init(header: "STARTED") { timeCell($0, "started_at") },
            .init(header: "ENDED") { timeCell($0, "ended_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Task", "task_id")
            f.text("Attempt", "attempt")
            f.text("Status", "status")
            f.text("Runner", "runner_id")
            f.text("Exit Code", "exit_code")
            f.text("Error", "error")
            f.time("Started", "started_at")
            f.time("Ended", "ended_at")
            return f.pairs
        }
    )

    static let permission = ResourceView(
        plural: "permission requests",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "SESSION") { cell($0, "session_id") },
            .init(header: "TOOL") { cell($0, "tool") },
            .init(header: "ACTION") { cell($0, "action") },
            .init(header: "RISK") { cell($0, "risk_level") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Session", "session_id")
            f.text("Task", "task_id")
            f.text("Run", "run_id")
            f.text("Request", "original_request_id")
            f.text("Tool", "tool")
            f.text("Action", "action")
            f.text("Context", "context")
            f.text("Risk", "risk_level")
            f.text("Status", "status")
            f.text("Suspend After", "suspend_after_seconds")
            f.text("Responded By", "responded_by")
            f.text("Reason", "response_reason")
            f.time("Responded", "responded_at")
            f.time("Delivered", "delivered_at")
            f.time("Created", "created_at")
            return f.pairs
        })

    static let runner = ResourceView(
        plural: "runners",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "POOL") { cell($0, "pool_name") },
            .init(header: "SANDBOX") { cell($0, "sandbox_mode") },
            .init(header: "LAST SEEN") { timeCell($0, "last_seen_at", absent: "never") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.text("Hostname", "hostname")
            f.text("Status", "status")
            if item["tainted"]?.boolValue == true {
                f.add("Tainted", "yes" + (item["taint_reason"]?.stringValue.map { " (\($0))" } ?? ""))
            }
            f.text("Pool", "pool_name")
            f.text("Sandbox Mode", "sandbox_mode")
            f.list("Sandbox Types", "sandbox_types")
            f.text("Profile", "profile_id")
            f.list("Capabilities", "capabilities")
            f.text("Agent Version", "agent_version")
            f.map("Labels", "labels")
            f.map("Annotations", "annotations")
            f.time("Last Seen", "last_seen_at")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    static let workspace = ResourceView(
        plural: "workspaces",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "STORAGE") { cell($0, "storage_type") },
            .init(header: "MOBILITY") { cell($0, "mobility") },
            .init(header: "SIZE") { item in item["storage_size_bytes"]?.int64Value.map(byteSize) ?? "-" },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.bool("Persist", "persist")
            f.text("Storage Type", "storage_type")
            f.text("Mobility", "mobility")
            f.add("Size", item["storage_size_bytes"]?.int64Value.map(byteSize))
            if let quota = item["disk_quota_mb"]?.intValue { f.add("Disk Quota", "\(quota) MB") }
            f.time("Last Synced", "last_synced_at")
            f.map("Labels", "labels")
            f.map("Annotations", "annotations")
            f.time("Expires", "expires_at")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            f.time("Deleted", "deleted_at")
            return f.pairs
        }
    )

    static let apiKey = ResourceView(
        plural: "API keys",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "PREFIX") { cell($0, "key_prefix") },
            .init(header: "SCOPES") { item in
                let scopes = item["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
                return scopes.isEmpty ? "-" : TextTruncation.cell(scopes.joined(separator: ","))
            },
            .init(header: "LAST USED") { timeCell($0, "last_used_at", absent: "never") },
            .init(header: "EXPIRES") { item in
                if item["revoked_at"]?.stringValue != nil { return "revoked" }
                return timeCell(item, "expires_at", absent: "never")
            },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.text("Prefix", "key_prefix")
            f.list("Scopes", "scopes")
            f.text("Tenant", "tenant_id")
            f.map("Labels", "labels")
            f.map("Annotations", "annotations")
            f.text("Created By", "created_by")
            f.time("Created", "created_at")
            f.time("Last Used", "last_used_at")
            f.add("Expires", item["expires_at"]?.stringValue ?? "never")
            f.time("Revoked", "revoked_at")
            f.text("Revoke Reason", "revoke_reason")
            return f.pairs
        }
    )

    static let runnerToken = ResourceView(
        plural: "runner tokens",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "POOL") { cell($0, "pool_name") },
            .init(header: "PREFIX") { cell($0, "token_prefix") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "LAST USED") { timeCell($0, "last_used_at", absent: "never") },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Pool", "pool_name")
            f.text("Token Prefix", "token_prefix")
            f.text("Status", "status")
            f.text("Runner", "runner_id")
            f.text("Tenant", "tenant_id")
            f.time("Rotation Deadline", "rotation_deadline")
            f.map("Labels", "labels")
            f.text("Created By", "created_by")
            f.time("Created", "created_at")
            f.time("Last Used", "last_used_at")
            f.add("Expires", item["expires_at"]?.stringValue ?? "never")
            f.time("Revoked", "revoked_at")
            f.text("Revoke Reason", "revoke_reason")
            return f.pairs
        }
    )
}

extension Views {
    static let agentConfig = ResourceView(
        plural: "agent configs",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "AGENT") { cell($0, "agent") },
            .init(header: "MODEL") { cell($0, "model") },
            .init(header: "DEFAULT") { item in item["is_default"]?.boolValue == true ? "yes" : "no" },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.text("Agent", "agent")
            f.text("Model", "model")
            f.text("Base URL", "base_url")
            f.bool("Default", "is_default")
            f.text("Extra", "extra")
            f.map("Labels", "labels")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    /// The public runner view plus the admin API's provider fields.
    static let adminRunner = ResourceView(
        plural: runner.plural,
        columns: runner.columns,
        fields: { item in
            var f = FieldList(item)
            f.text("Tenant", "tenant_id")
            f.text("Provider Config", "provider_config_id")
            f.text("Provider Instance", "provider_instance_id")
            f.text("Connected Replica", "connected_replica_id")
            return runner.fields(item) + f.pairs
        }
    )

    static let providerConfig = ResourceView(
        plural: "provider configs",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "PROVIDER") { cell($0, "provider") },
            .init(header: "DEFAULT") { item in item["is_default"]?.boolValue == true ? "yes" : "no" },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.text("Provider", "provider")
            f.bool("Default", "is_default")
            f.text("Config", "config")
            f.text("Suspend config", "suspend_config")
            f.map("Labels", "labels")
            f.map("Annotations", "annotations")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    static let profile = ResourceView(
        plural: "profiles",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "CPUS") { item in item["resources"]?["cpus"]?.displayString ?? "" },
            .init(header: "MEMORY MB") { item in item["resources"]?["memory_mb"]?.displayString ?? "" },
            .init(header: "NETWORK") { item in item["network"]?["level"]?.displayString ?? "" },
            .init(header: "BUILT-IN") { item in item["is_builtin"]?.boolValue == true ? "yes" : "no" },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.text("Description", "description")
            f.text("Provider config", "provider_config_id")
            f.text("Resources", "resources")
            f.text("Network", "network")
            f.text("Tunnels", "tunnels")
            f.text("Selector", "selector")
            f.text("Init script", "init_script")
            f.text("Cleanup script", "cleanup_script")
            f.bool("Built-in", "is_builtin")
            f.map("Labels", "labels")
            f.map("Annotations", "annotations")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    static let webhook = ResourceView(
        plural: "webhooks",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "NAME") { cell($0, "name") },
            .init(header: "URL") { cell($0, "url") },
            .init(header: "EVENTS") { item in item["events"]?.arrayValue.map { $0.map(\.displayString).joined(separator: ",") } ?? "-" },
            .init(header: "ACTIVE") { item in item["is_active"]?.boolValue == false ? "no" : "yes" },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Name", "name")
            f.text("URL", "url")
            f.list("Events", "events")
            f.bool("Active", "is_active")
            f.text("Secret Prefix", "secret_prefix")
            f.text("Max Retries", "max_retries")
            f.seconds("Retry Delay", "retry_delay_seconds")
            f.seconds("Timeout", "timeout_seconds")
            f.map("Headers", "headers")
            f.map("Labels", "labels")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    static let webhookEvent = ResourceView(
        plural: "webhook events",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "WEBHOOK") { cell($0, "webhook_id") },
            .init(header: "EVENT") { cell($0, "event_type") },
            .init(header: "STATUS") { cell($0, "status") },
            .init(header: "ATTEMPTS") { cell($0, "attempts") },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Webhook", "webhook_id")
            f.text("Event", "event_type")
            f.text("Status", "status")
            f.text("Attempts", "attempts")
            f.text("Last Status Code", "last_status_code")
            f.text("Last Error", "last_error")
            f.time("Next Retry", "next_retry_at")
            f.time("Delivered", "delivered_at")
            f.time("Created", "created_at")
            return f.pairs
        }
    )

    static let actionLog = ResourceView(
        plural: "audit log entries",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "TIME") { timeCell($0, "created_at") },
            .init(header: "ACTOR") { item in
                let type = item["actor_type"]?.stringValue ?? "-"
                guard let id = item["actor_name"]?.stringValue ?? item["actor_id"]?.stringValue else { return type }
                return type + ":" + id
            },
            .init(header: "ACTION") { cell($0, "action") },
            .init(header: "RESOURCE") { item in
                let id = item["resource_id"]?.stringValue ?? ""
                return id.isEmpty ? cell(item, "resource_type") : id
            },
            .init(header: "SUCCESS") { item in item["success"]?.boolValue == false ? "no" : "yes" },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.time("Time", "created_at")
            f.text("Actor Type", "actor_type")
            f.text("Actor ID", "actor_id")
            f.text("Actor Name", "actor_name")
            f.text("Action", "action")
            f.text("Resource Type", "resource_type")
            f.text("Resource ID", "resource_id")
            f.text("Session", "session_id")
            f.text("Task", "task_id")
            f.bool("Success", "success")
            f.text("Error", "error_message")
            f.map("Details", "details")
            f.text("IP", "ip_address")
            f.text("User Agent", "user_agent")
            return f.pairs
        }
    )
}
