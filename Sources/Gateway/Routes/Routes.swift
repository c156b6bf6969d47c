import Core
import Hummingbird
import Logging
import Orchestrator

/// Everything the HTTP edge calls into. Built once by `GatewayBuilder`, shared by main and tests.
public struct GatewayServices: Sendable {
    public let config: ServerConfig
    public let store: Store
    public let sessions: SessionService
    public let tasks: TaskService
    public let permissions: PermissionService
    public let workspaces: WorkspaceService
    public let streams: StreamService
    public let tunnels: TunnelService
    /// Live tunnel connections and TCP listeners.
    public let tunnelRuntime: TunnelRuntime
    /// `stok_` checks for the WHEP/WHIP and input routes.
    public let streamTokens: StreamTokenAuthenticator
    public let apiKeys: APIKeyService
    public let runnerTokens: RunnerTokenService
    public let webhooks: WebhookService
    /// Managed agent credentials (admin `agent-configs`).
    public let agentConfigs: AgentConfigService
    /// Runner provider settings and profiles (admin `provider-configs`, `profiles`).
    public let providerConfigs: ProviderConfigService
    public let profiles: ProfileService
    /// Operator actions on runners (admin `runners`).
    public let runnerAdmin: RunnerAdminService
    /// Data keys under the KEK; nil without `MARIONETTE_ENCRYPTION_KEY`.
    public let dataKeys: DataKeys?
    public let authenticator: APIKeyAuthenticator
    public let hub: LogHub
    public let admin: AdminAuthenticator
    /// `auth.failed` audit rows, rate-limited per client address.
    public let authFailures: AuthFailureAuditor
    /// The running SFU (empty until its socket is bound).
    public let sfu: SFUHolder
    /// The Prometheus registry behind `GET /metrics`.
    public let metrics: ServerMetrics
    /// Input WebSockets ↔ runners' `Media` calls.
    public let streamInput: StreamInputHub
    /// One-time tickets for admin WebSockets (`POST /admin/api/v1/ws-tickets`).
    public let webSocketTickets = WebSocketTickets()
    public let logger: Logger

    public init(
        config: ServerConfig, store: Store, admin: AdminAuthenticator, hub: LogHub = LogHub(),
        hooks: (any OrchestrationHooks)? = nil, sfu: SFUHolder = SFUHolder(), metrics: ServerMetrics = ServerMetrics(),
        vault: CredentialVault = CredentialVault(), dataKeys: DataKeys? = nil, logger: Logger
    ) {
        self.dataKeys = dataKeys
        self.agentConfigs = AgentConfigService(store: store, dataKeys: dataKeys)
        self.providerConfigs = ProviderConfigService(store: store)
        self.profiles = ProfileService(store: store)
        self.runnerAdmin = RunnerAdminService(store: store, hooks: hooks)
        self.sfu = sfu
        self.metrics = metrics
        self.streamInput = StreamInputHub()
        self.config = config
        self.store = store
        var sessions = SessionService(store: store, vault: vault)
        sessions.hooks = hooks
        sessions.defaultNetworkPolicy = config.defaultNetworkPolicy
        sessions.defaultPermissionPolicy = config.defaultPermissionPolicy
        self.sessions = sessions
        var tasks = TaskService(store: store)
        tasks.hooks = hooks
        tasks.defaultTimeoutSeconds = config.defaultTaskTimeoutSeconds
        self.tasks = tasks
        self.workspaces = WorkspaceService(store: store)
        var permissions = PermissionService(store: store)
        permissions.hooks = hooks
        self.permissions = permissions
        var streams = StreamService(store: store, publicURL: config.resolvedPublicURL)
        streams.hooks = hooks
        self.streams = streams
        self.streamTokens = StreamTokenAuthenticator(store: store, logger: logger)
        self.apiKeys = APIKeyService(store: store, multiTenant: config.multiTenant)
        self.runnerTokens = RunnerTokenService(store: store, multiTenant: config.multiTenant)
        self.webhooks = WebhookService(store: store, settings: config.webhooks, dataKeys: dataKeys)
        self.authenticator = APIKeyAuthenticator(store: store, logger: logger)
        let tunnelRuntime = TunnelRuntime(
            store: store, apiKeys: authenticator, config: config, metrics: metrics.tunnels, logger: logger)
        self.tunnelRuntime = tunnelRuntime
        var tunnels = TunnelService(store: store, publicURL: config.resolvedPublicURL, settings: config.tunnels)
        if config.tunnels.enabled {
            // A port of the range another process holds is skipped; the one picked is held until its listener binds.
            let reservations = tunnelRuntime.portReservations
            tunnels.tcpPortAvailable = { reservations.reserve($0) }
        }
        self.tunnels = tunnels
        self.hub = hub
        self.admin = admin
        self.authFailures = AuthFailureAuditor(store: store)
        self.logger = logger
    }
}

/// One registered route, kept so a contract test can compare the router with openapi.yaml.
public struct RouteSpec: Sendable, Hashable, CustomStringConvertible {
    public let method: String
    public let path: String
    public var description: String { "\(method) \(path)" }
}

/// Registers handlers on a router group and records them.
struct RouteTable {
    private(set) var specs: [RouteSpec] = []

    mutating func add(
        _ group: RouterGroup<APIContext>, prefix: String, _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, APIContext) async throws -> Response
    ) {
        let full = path.isEmpty ? prefix : prefix + "/" + path
        group.on(
            RouterPath(path), method: method,
            use: RequestTimeout.bounded(handler, limit: RequestTimeoutPolicy.limit(forRoute: full)))
        specs.append(RouteSpec(method: method.rawValue, path: full))
    }

    mutating func add(
        _ router: Router<APIContext>, _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, APIContext) async throws -> Response
    ) {
        router.on(
            RouterPath(path), method: method,
            use: RequestTimeout.bounded(handler, limit: RequestTimeoutPolicy.limit(forRoute: path)))
        specs.append(RouteSpec(method: method.rawValue, path: path))
    }
}

extension APIContext {
    /// The caller's store scope after checking it holds `scope`.
    func authorize(_ scope: String, multiTenant: Bool) throws(APIError) -> TenantScope {
        guard let principal else {
            throw APIError.unauthenticated("not_authenticated", "this route needs an API key")
        }
        try principal.require(scope)
        return principal.scope(multiTenant: multiTenant)
    }

    /// A path id: empty → 400 `invalid_id`; wrong shape or prefix → 404 (it cannot exist).
    func pathID(_ name: String, _ prefix: IDPrefix, kind: String) throws(APIError) -> String {
        guard let id = parameters.get(name), !id.isEmpty else { throw .invalidID("\(name) must not be empty") }
        guard ID.isValid(id, prefix: prefix) else { throw .notFound(kind, id) }
        return id
    }
}
