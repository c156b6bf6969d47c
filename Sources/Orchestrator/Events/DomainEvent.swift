import Core

/// One state change the API announces (api.md §14.1): on the events streams and to webhooks. Made
/// after the change committed; `data` holds the spec's fields for its resource.
public struct DomainEvent: Sendable, Equatable {
    /// `session.created`, `task.completed`, …
    public let type: String
    /// `session`, `task`, `runner`, `permission`, `tunnel`, `stream`.
    public let resourceType: String
    public let resourceID: String
    /// The tenant of the resource (nil: the default tenant); public streams only see their own.
    public let tenantID: String?
    /// The resource's labels (a session's own; a task's, tunnel's or stream's session's), for the
    /// `labels` filter and the webhook body.
    public let labels: [String: String]
    public let annotations: [String: String]
    public let data: [String: EventField]
    public let timestamp: Timestamp
    /// Who caused it (the request's actor when it came from the API), for the audit log only.
    public let actor: AuditActor?

    public init(
        type: String, resourceID: String, tenantID: String?, labels: [String: String] = [:],
        annotations: [String: String] = [:], data: [String: EventField], timestamp: Timestamp,
        actor: AuditActor? = AuditActor.current
    ) {
        self.type = type
        self.resourceType = String(type.prefix { $0 != "." })
        self.resourceID = resourceID
        self.tenantID = tenantID
        self.labels = labels
        self.annotations = annotations
        self.data = data
        self.timestamp = timestamp
        self.actor = actor
    }

    /// Every label of `filter` is on the event with the same value.
    public func hasLabels(_ filter: [String: String]) -> Bool {
        filter.allSatisfy { labels[$0.key] == $0.value }
    }
}

/// A value of an event's `data`: a scalar, like a stream's metadata. Unset fields are left out
/// (api.md §12: `?` = omitted when unset).
public typealias EventField = MetadataValue

extension Dictionary where Key == String, Value == EventField {
    /// Sets `key` when `value` is there.
    mutating func set(_ key: String, _ value: String?) { if let value { self[key] = .string(value) } }
    mutating func set(_ key: String, _ value: Int64?) { if let value { self[key] = .int(value) } }
    mutating func set(_ key: String, _ value: Int?) { if let value { self[key] = .int(Int64(value)) } }
    mutating func set(_ key: String, _ value: Double?) { if let value { self[key] = .double(value) } }
    mutating func set(_ key: String, _ value: Bool?) { if let value { self[key] = .bool(value) } }
}
