import Hummingbird
import Orchestrator

/// The request context of both API listeners: the request id and, once authenticated, who calls.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""
    public var principal: Principal?
    /// Actor name on the admin listener (`admin` or `master-key`).
    public var adminActor: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// JSON bodies are capped at 1 MiB (api.md §1.2); larger ones answer 413.
    public var maxUploadSize: Int { 1 << 20 }
}
