import Core
import Fabric
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Orchestrator
import ServiceLifecycle

/// The live side of tunnels on this server (streaming.md §7): it authorizes entry-point requests,
/// asks runners for connections (`OpenTunnelConnection`), hands their data-connection streams to the
/// waiting clients (``broker``), keeps the TCP tunnel ports bound, and ends connections when a
/// tunnel closes, expires or its session leaves `active`.
///
/// Async code runs only per connection setup; bytes move in NIO handlers.
public final class TunnelRuntime: Service, Sendable {
    /// How the runtime reaches runners; set once the fabric exists (`ServerRuntime`).
    public struct Fabric: Sendable {
        /// Queues a command on the runner's control stream (without waiting: it runs on event
        /// loops); false when it is not connected.
        public var send: @Sendable (Marionette_Runner_V1_ServerCommand, String) -> Bool
        /// Whether the runner's data connection is up.
        public var isConnected: @Sendable (String) -> Bool
        /// The event loop of the runner's data connection, if it is up.
        public var dataLoop: @Sendable (String) -> (any EventLoop)?

        public init(
            send: @escaping @Sendable (Marionette_Runner_V1_ServerCommand, String) -> Bool,
            isConnected: @escaping @Sendable (String) -> Bool,
            dataLoop: @escaping @Sendable (String) -> (any EventLoop)? = { _ in nil }
        ) {
            self.send = send
            self.isConnected = isConnected
            self.dataLoop = dataLoop
        }
    }

    let logger: Logger
    let store: Store
    let apiKeys: APIKeyAuthenticator
    let settings: ServerConfig.Tunnels
    let multiTenant: Bool
    /// Where TCP tunnel ports listen.
    let tcpBindHost: String
    let metrics: TunnelMetrics
    /// Stream matcher, installed as the data server's stream handler.
    public let broker: TunnelStreamBroker
    /// How long a client waits for the runner's stream.
    public var streamWait: TimeAmount { broker.streamWait }
    /// How often expiry and closed tunnels are checked.
    public let sweepInterval: Duration = .seconds(1)

    private let fabric = NIOLockedValueBox<Fabric?>(nil)
    private let connections = NIOLockedValueBox<[String: [String: TunnelSplicePeer]]>([:])
    let listeners: TunnelTCPListeners
    /// TCP tunnel ports the store picked, held until their listeners take them.
    let portReservations: TunnelPortReservations
    let acceptQueue = TunnelAcceptQueue()
    /// Connect WebSockets whose runner side was asked for before their 101 went out, until the
    /// upgraded handler takes them; one whose connection closes first is abandoned (its runner
    /// side reset).
    let pendingWebSockets = TunnelChannelTable<TunnelWebSocketEnd.Prepared> { $0.abandon() }
    /// Recent tunnel lookups (two seconds; those in use are refreshed by the sweep).
    let targets = TunnelTargetCache()
    /// Sends the public port's new connections to the event loop tunnel connections use.
    let acceptSteering: TunnelAcceptSteering

    public init(
        store: Store, apiKeys: APIKeyAuthenticator, config: ServerConfig, metrics: TunnelMetrics, logger: Logger
    ) {
        self.metrics = metrics
        self.broker = TunnelStreamBroker(metrics: metrics)
        self.store = store
        self.apiKeys = apiKeys
        self.settings = config.tunnels
        self.multiTenant = config.multiTenant
        self.tcpBindHost = Self.tcpBindHost(config)
        self.logger = logger
        self.listeners = TunnelTCPListeners(logger: logger)
        self.portReservations = TunnelPortReservations(host: tcpBindHost)
        self.acceptSteering = TunnelAcceptSteering(logger: logger)
    }

    public func configure(_ fabric: Fabric) {
        self.fabric.withLockedValue { $0 = fabric }
    }

    /// The event loop of `runnerID`'s data connection, if it is up.
    func dataLoop(runnerID: String) -> (any EventLoop)? {
        fabric.withLockedValue { $0 }?.dataLoop(runnerID)
    }

    /// Open connections of a tunnel on this server.
    public func connectionCount(tunnelID: String) -> Int {
        connections.withLockedValue { $0[tunnelID]?.count ?? 0 }
    }

    /// Tunnels with open connections on this server.
    var activeTunnelCount: Int { connections.withLockedValue { $0.count } }

    /// The bound port of a TCP tunnel's listener, if bound.
    public func tcpListenerPort(tunnelID: String) -> Int? { listeners.port(of: tunnelID) }

    // MARK: - Lifecycle from the management API

    /// Where TCP tunnels listen (`tunnels.tcp_bind_host`, else the API's host).
    static func tcpBindHost(_ config: ServerConfig) -> String { config.tunnels.tcpBindHost ?? config.apiHost }

    /// A TCP tunnel listens on its port: one just created (its port was free when the store picked
    /// it), or one still open at start-up. A port it cannot listen on is logged and throws 503: the
    /// create route then closes the tunnel rather than leave it with a port that reaches somebody
    /// else; start-up goes on with the other tunnels.
    public func listen(for record: TunnelRecord) async throws {
        guard settings.enabled, record.type == "tcp", let port = record.publicPort else { return }
        do {
            try await listeners.bind(record: record, host: tcpBindHost, port: port, runtime: self)
        } catch {
            logger.error(
                "tcp tunnel could not bind its port",
                metadata: ["tunnel_id": "\(record.id)", "address": "\(tcpBindHost):\(port)", "error": "\(error)"])
            throw APIError.serviceUnavailable(
                "TCP tunnel port \(port) could not be listened on (\(error)); the tunnel was closed, create it again")
        }
    }

    /// A tunnel was closed or expired: its connections end (HTTP clients still waiting get 410),
    /// its port is freed, and its runner is told (`CloseTunnel`).
    public func tunnelClosed(id: String, reason: String) async {
        targets.forget(tunnelID: id)
        let live = connections.withLockedValue { $0.removeValue(forKey: id) } ?? [:]
        let expired = reason == "expired"
        for client in live.values {
            client.abort(
                .tunnelEnded(
                    status: 410, code: expired ? "tunnel_expired" : "tunnel_closed",
                    message: expired ? "tunnel \(id) expired" : "tunnel \(id) was closed"))
        }
        await listeners.unbind(tunnelID: id)
        if !live.isEmpty {
            logger.info("tunnel connections ended", metadata: ["tunnel_id": "\(id)", "count": "\(live.count)", "reason": "\(reason)"])
        }
        if let record = try? await store.tunnel(id, scope: .system), let runnerID = record.runnerID,
            let fabric = fabric.withLockedValue({ $0 })
        {
            var close = Marionette_Runner_V1_CloseTunnel()
            close.tunnelID = id
            close.reason = reason
            var command = Marionette_Runner_V1_ServerCommand()
            command.closeTunnel = close
            _ = fabric.send(command, runnerID)
        }
    }

    /// Binds the ports of open TCP tunnels, then expires tunnels and ends the connections of tunnels
    /// closed elsewhere (session suspended, another replica) every `sweepInterval`.
    public func run() async throws {
        if settings.enabled {
            for record in (try? await store.openTunnels(type: "tcp")) ?? [] {
                try? await listen(for: record)
            }
        }
        let interval = sweepInterval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                await self.sweep()
            }
        }
        await listeners.unbindAll()
        portReservations.releaseAll()
    }

    func sweep() async {
        do {
            for id in try await store.expireTunnels() {
                await tunnelClosed(id: id, reason: "expired")
            }
        } catch {
            logger.warning("tunnel expiry sweep failed", metadata: ["error": "\(error)"])
        }
        acceptSteering.expire()
        portReservations.expire(olderThan: .seconds(60))
        await refreshTargets()
        let ids = Set(connections.withLockedValue { Array($0.keys) }).union(listeners.tunnelIDs)
        for id in ids {
            guard let record = try? await store.tunnel(id, scope: .system) else { continue }
            if record.closedAt != nil {
                await tunnelClosed(id: id, reason: record.closeReason ?? "closed")
            }
        }
    }

    // MARK: - Entry points

    /// The checks of api.md §9.3 in order: exists and open (404), expired (410), credential (401),
    /// type http (400), connection limit (503), runner connected (503).
    func authorizeHTTP(route: TunnelIngressRouter.Route, credential: TunnelCredential.Kind) async
        -> Result<TunnelHTTPGrant, TunnelIngressError>
    {
        guard settings.enabled, let (key, prefix) = Self.targetKey(route) else { return .failure(Self.notFound) }
        let found: TunnelTarget?
        do {
            found = try await target(key)
        } catch {
            logger.error("tunnel lookup failed", metadata: ["error": "\(error)"])
            return .failure(TunnelIngressError(status: 503, code: "service_unavailable", message: "tunnel lookup failed; retry"))
        }
        guard let target = found else { return .failure(Self.notFound) }
        if let refusal = openRefusal(target.tunnel) { return .failure(refusal) }
        if !target.tunnel.isPublic, let refusal = await checkCredential(credential, tunnel: target.tunnel) {
            return .failure(refusal)
        }
        return grantHTTP(target, prefix: prefix)
    }

    /// ``authorizeHTTP(route:credential:)`` from what is known without waiting: the tunnel looked up
    /// within the last two seconds and a credential that needs no lookup (none, or a tunnel token). Nil
    /// when the answer needs the database or an API key check.
    func authorizeHTTPNow(route: TunnelIngressRouter.Route, credential: TunnelCredential.Kind)
        -> Result<TunnelHTTPGrant, TunnelIngressError>?
    {
        guard settings.enabled, let (key, prefix) = Self.targetKey(route) else { return .failure(Self.notFound) }
        guard let target = targets.target(key) else { return nil }
        if let refusal = openRefusal(target.tunnel) { return .failure(refusal) }
        if !target.tunnel.isPublic {
            if case .apiKey = credential { return nil }
            if let refusal = tokenRefusal(credential, tunnel: target.tunnel) { return .failure(refusal) }
        }
        return grantHTTP(target, prefix: prefix)
    }

    private static let notFound = TunnelIngressError(status: 404, code: "not_found", message: "tunnel not found or expired")

    /// The tunnel and its session, from the last seconds' lookups or else the store.
    func target(_ key: TunnelTargetCache.Key) async throws -> TunnelTarget? {
        if let cached = targets.target(key) { return cached }
        let found = try await lookUp(key)
        if let found { targets.keep(found, for: key) }
        return found
    }

    private func lookUp(_ key: TunnelTargetCache.Key) async throws -> TunnelTarget? {
        switch key {
        case .id(let id): return try await store.tunnelTarget(id: id)
        case .hostLabel(let label): return try await store.tunnelTarget(hostLabel: label)
        }
    }

    /// Looks again at the tunnels used in the last minute, so that their next connection is admitted
    /// on its event loop with what is at most two seconds old (a lookup cost it about a millisecond).
    func refreshTargets() async {
        for key in targets.recentKeys() {
            do {
                if let found = try await lookUp(key) {
                    targets.keep(found, for: key, used: false)
                } else {
                    targets.forget(key)
                }
            } catch {
                logger.warning("tunnel lookup refresh failed", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// What to look the route's tunnel up by, and the path form's prefix; nil when it names none.
    private static func targetKey(_ route: TunnelIngressRouter.Route) -> (TunnelTargetCache.Key, String?)? {
        switch route {
        case .api, .unknownHost:
            return nil
        case .path(let id, _):
            guard ID.isValid(id, prefix: .tunnel) else { return nil }
            return (.id(id), "/tunnels/" + id)
        case .subdomain(let label):
            return (.hostLabel(label), nil)
        }
    }

    /// Closed (404) or expired (410), else nil.
    private func openRefusal(_ tunnel: TunnelRecord) -> TunnelIngressError? {
        switch tunnel.status(at: store.clock.now()) {
        case .closed: return Self.notFound
        case .expired: return TunnelIngressError(status: 410, code: "tunnel_expired", message: "tunnel \(tunnel.id) expired")
        case .active: return nil
        }
    }

    /// After the credential: type http (400), then the connection limit and runner (503).
    private func grantHTTP(_ target: TunnelTarget, prefix: String?) -> Result<TunnelHTTPGrant, TunnelIngressError> {
        let tunnel = target.tunnel
        guard tunnel.type == "http" else {
            return .failure(TunnelIngressError(status: 400, code: "invalid_type", message: "tunnel \(tunnel.id) is a \(tunnel.type) tunnel"))
        }
        switch admit(target) {
        case .runner(let runnerID): return .success(TunnelHTTPGrant(tunnel: tunnel, runnerID: runnerID, pathPrefix: prefix))
        case .refused(let code, let message): return .failure(TunnelIngressError(status: 503, code: code, message: message))
        }
    }

    /// Where a client of an open tunnel goes, as every entry point (HTTP, TCP, the connect
    /// WebSocket) decides it: refused at the tunnel's connection limit, then without its session's
    /// runner (both 503), else to that runner.
    enum Admission: Equatable {
        case runner(String)
        case refused(code: String, message: String)
    }

    func admit(_ target: TunnelTarget) -> Admission {
        if connectionCount(tunnelID: target.tunnel.id) >= settings.maxConnectionsPerTunnel {
            return .refused(
                code: "too_many_connections",
                message: "tunnel \(target.tunnel.id) has \(settings.maxConnectionsPerTunnel) open connections; retry later")
        }
        guard let runnerID = runnerFor(target) else {
            return .refused(code: "runner_not_connected", message: "the session's runner is not connected")
        }
        return .runner(runnerID)
    }

    /// The session's runner when the session is active and the runner's data connection is up.
    func runnerFor(_ target: TunnelTarget) -> String? {
        guard target.sessionStatus == "active", let runnerID = target.sessionRunnerID,
            let fabric = fabric.withLockedValue({ $0 }), fabric.isConnected(runnerID)
        else { return nil }
        return runnerID
    }

    /// nil when the credential grants use of the tunnel; else the 401 to answer.
    func checkCredential(_ credential: TunnelCredential.Kind, tunnel: TunnelRecord) async -> TunnelIngressError? {
        guard case .apiKey(let key) = credential else { return tokenRefusal(credential, tunnel: tunnel) }
        do {
            let principal = try await apiKeys.authenticate(key)
            try principal.require("tunnels:read")
            if multiTenant, principal.tenantID != tunnel.tenantID {
                return TunnelIngressError(status: 401, code: "invalid_token", message: "the API key cannot use this tunnel", headers: Self.challenge)
            }
            return nil
        } catch {
            return TunnelIngressError(status: 401, code: error.code, message: error.message, headers: Self.challenge)
        }
    }

    private static let challenge = [("WWW-Authenticate", #"Basic realm="Marionette Tunnel""#)]

    /// The checks that need no lookup: a tunnel token, or none. API keys are checked by
    /// ``checkCredential(_:tunnel:)``; one reaching here is refused (fail closed).
    private func tokenRefusal(_ credential: TunnelCredential.Kind, tunnel: TunnelRecord) -> TunnelIngressError? {
        switch credential {
        case .tunnelToken(let token):
            if TunnelService.tokenMatches(token, tunnel: tunnel) { return nil }
            return TunnelIngressError(
                status: 401, code: "invalid_token", message: "the tunnel token is not valid for this tunnel", headers: Self.challenge)
        case .apiKey:
            return TunnelIngressError(
                status: 401, code: "invalid_token", message: "the API key could not be checked; retry", headers: Self.challenge)
        case .none:
            return TunnelIngressError(
                status: 401, code: "missing_auth",
                message: "this tunnel needs its token (X-Marionette-Tunnel-Token, ?marionette_token=, Basic password) or an API key with tunnels:read",
                headers: Self.challenge)
        }
    }

    /// Asks the runner for a connection and lets `client` wait for its stream. Failures reach
    /// `client` as an abort (502 / 503 for HTTP, a reset for TCP).
    func connect(
        grant: TunnelHTTPGrant, protocol kind: String, clientAddress: String, client: TunnelSplicePeer,
        closeFuture: EventLoopFuture<Void>
    ) {
        connect(
            tunnelID: grant.tunnel.id, runnerID: grant.runnerID, localPort: grant.tunnel.localPort, protocol: kind,
            clientAddress: clientAddress, client: client, closeFuture: closeFuture)
    }

    /// Registers the connection, then asks the runner to dial (in order with the caller's other
    /// requests): on one of its standby streams when it keeps them, else with `OpenTunnelConnection`
    /// (queued before this returns).
    func connect(
        tunnelID: String, runnerID: String, localPort: Int, protocol kind: String, clientAddress: String,
        client: TunnelSplicePeer, closeFuture: EventLoopFuture<Void>
    ) {
        let command = register(
            tunnelID: tunnelID, runnerID: runnerID, localPort: localPort, protocol: kind, clientAddress: clientAddress,
            client: client, closeFuture: closeFuture)
        let connectionID = command.connectionID
        // The HTTP ingress's connections steer the public port's accepts (TCP tunnel connections
        // come through their own listeners).
        if kind == "http", let loop = dataLoop(runnerID: runnerID) { acceptSteering.used(loop) }
        let broker = self.broker
        let waiter = TunnelStandbyPool.Waiter(
            assignment: FabricDataStandbyAssignment(tunnelID: tunnelID, connectionID: connectionID, localPort: localPort),
            isWanted: { broker.isWaiting(connectionID) },
            fallback: {
                broker.asked(onStandby: false)
                self.send(command.command, runnerID: runnerID, connectionID: connectionID, client: client)
            })
        broker.standby.dispatch(waiter, runnerID: runnerID, loop: client.eventLoop)
    }

    private func register(
        tunnelID: String, runnerID: String, localPort: Int, protocol kind: String, clientAddress: String,
        client: TunnelSplicePeer, closeFuture: EventLoopFuture<Void>
    ) -> (command: Marionette_Runner_V1_ServerCommand, connectionID: String) {
        let connectionID = ID.make(.tunnelConnection)
        connections.withLockedValue { $0[tunnelID, default: [:]][connectionID] = client }
        metrics.connectionOpened(type: kind)
        closeFuture.whenComplete { _ in
            self.metrics.connectionClosed(type: kind)
            self.broker.cancel(connectionID)
            self.connectionEnded(tunnelID: tunnelID, connectionID: connectionID)
        }
        broker.expect(
            connectionID: connectionID, tunnelID: tunnelID, runnerID: runnerID, localPort: localPort, protocol: kind,
            client: client)
        var open = Marionette_Runner_V1_OpenTunnelConnection()
        open.tunnelID = tunnelID
        open.connectionID = connectionID
        open.localPort = Int32(localPort)
        open.`protocol` = kind
        open.clientAddr = clientAddress
        open.deadlineUnixMs = store.clock.now().milliseconds + streamWait.nanoseconds / 1_000_000
        var command = Marionette_Runner_V1_ServerCommand()
        command.openTunnelConnection = open
        logger.debug(
            "tunnel connection requested",
            metadata: ["tunnel_id": "\(tunnelID)", "connection_id": "\(connectionID)", "runner_id": "\(runnerID)", "protocol": "\(kind)"])
        return (command, connectionID)
    }

    private func send(_ command: Marionette_Runner_V1_ServerCommand, runnerID: String, connectionID: String, client: TunnelSplicePeer) {
        let fabric = fabric.withLockedValue({ $0 })
        guard fabric?.send(command, runnerID) != true, let kind = broker.cancel(connectionID) else { return }
        metrics.connection(type: kind, .refused)
        if fabric?.isConnected(runnerID) == true {
            client.abort(
                .tunnelEnded(
                    status: 503, code: "service_unavailable",
                    message: "the runner did not take the connection request (its control stream is down or full); retry"))
        } else {
            client.abort(.tunnelEnded(status: 503, code: "runner_not_connected", message: "the session's runner is not connected"))
        }
    }

    /// Forgets a connection once its client channel closed.
    func connectionEnded(tunnelID: String, connectionID: String) {
        connections.withLockedValue { all in
            all[tunnelID]?.removeValue(forKey: connectionID)
            if all[tunnelID]?.isEmpty == true { all.removeValue(forKey: tunnelID) }
        }
    }
}
