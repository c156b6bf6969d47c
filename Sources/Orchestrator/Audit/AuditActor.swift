/// Who makes the current request, for the audit log (auth-security.md §14): set by the API's
/// audit middleware for the duration of a request (a task-local), read where a change commits.
public struct AuditActor: Sendable, Equatable {
    /// `user` (admin credentials), `api_key`, `system` or `runner`.
    public var type: String
    public var id: String?
    public var name: String?
    public var ipAddress: String?
    public var userAgent: String?
    public var tenantID: String?

    public init(type: String, id: String? = nil, name: String? = nil, ipAddress: String? = nil, userAgent: String? = nil, tenantID: String? = nil) {
        self.type = type
        self.id = id
        self.name = name
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.tenantID = tenantID
    }

    @TaskLocal public static var current: AuditActor?

    public static let system = AuditActor(type: "system")
}
