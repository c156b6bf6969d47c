import Hummingbird
import Orchestrator

/// The request context of both API listeners: the request id and, once authenticated, who calls.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""
    public var principal: Principal?
    /// Actor name on the admin listener (`admin` or `master-key`).
    public var adminActor: String?
    /// The peer's address, for the audit log.
    public let remoteIP: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies are capped at 1 MiB (api.md §1.2); larger ones answer 413.
    public var maxUploadSize: Int { 1 << 20 }
}
