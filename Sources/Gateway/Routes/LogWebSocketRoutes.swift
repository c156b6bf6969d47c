import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Orchestrator

/// The context of WebSocket upgrade routes: it carries the WebSocket handler and, once the
/// upgrade request was authenticated, the caller's store scope.
public struct WebSocketAPIContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The connection (the tunnel connect route splices on its loop and adds its frame unmasker).
    let channel: any Channel
    public var eventLoop: any EventLoop { channel.eventLoop }
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }
}

/// `GET /api/v1/logs/{taskID}/stream` (api.md §11): the task's log as WebSocket text frames
/// `{"type":"log","task_id","run_id","stream","level","content","sequence","timestamp"}`, from the
/// beginning or after `after_sequence` (of `run_id`, else the latest run), until the task ends.
/// On the admin listener (`admin` tickets given) the same route takes admin credentials or a
/// `?ticket=` and sees every tenant.
enum LogWebSocketRoutes {
    static func register(_ router: Router<WebSocketAPIContext>, _ s: GatewayServices, admin: WebSocketTickets? = nil) {
        router.ws("api/v1/logs/{taskID}/stream") { request, context in
            do {
                _ = try await authorize(request, context, s, admin: admin, consume: false)
                return .upgrade([:])
            } catch {
                return .dontUpgrade
            }
        } onUpgrade: { inbound, outbound, context in
            let request = context.request
            guard let (scope, taskID) = try? await authorize(request, context.requestContext, s, admin: admin, consume: true)
            else { return }
            let query = QueryParams(request)
            var logs = LogQuery()
            logs.runID = query.first("run_id")
            logs.afterSequence = try? query.int64("after_sequence")
            let start = try await TaskRoutes.followStart(
                taskID: taskID, logs: logs, lastEventID: nil, store: s.store, scope: scope)
            let follow = LogFollow(services: s, taskID: taskID, scope: scope, query: logs, start: start)
            // Inbound frames are not used; reading them notices a closing client.
            let reader = Task {
                for try await _ in inbound.messages(maxSize: 1 << 16) {}
            }
            defer { reader.cancel() }
            var sink = WebSocketFollowSink(outbound: outbound)
            try await follow.stream(into: &sink)
        }
    }

    /// API key from the header or `?token=` (WebSocket clients cannot always set headers).
    static func authorize(
        _ request: Request, _ context: WebSocketAPIContext, _ s: GatewayServices, admin: WebSocketTickets?, consume: Bool
    ) async throws -> (TenantScope, String) {
        let scope: TenantScope
        if let admin {
            try AdminWebSocketCredential.check(request, s, tickets: admin, consume: consume)
            scope = .system
        } else {
            let token = try WebSocketCredential.from(request, missing: "an API key is required")
            let principal = try await s.authenticator.authenticate(token)
            try principal.require("tasks:read")
            scope = principal.scope(multiTenant: s.config.multiTenant)
        }
        guard let taskID = context.parameters.get("taskID"), ID.isValid(taskID, prefix: .task),
            try await s.store.task(taskID, scope: scope) != nil
        else { throw APIError.notFound("task", context.parameters.get("taskID") ?? "") }
        return (scope, taskID)
    }
}

struct WebSocketFollowSink: FollowSink {
    let outbound: WebSocketOutboundWriter

    struct Frame: Encodable {
        let type: String
        let taskID: String
        let runID: String
        let stream: String
        let level: String
        let content: String
        let sequence: Int64
        let timestamp: Timestamp?
        enum CodingKeys: String, CodingKey {
            case type, taskID = "task_id", runID = "run_id", stream, level, content, sequence, timestamp
        }
    }

    func begin() async throws {}

    func logs(_ records: [LogRecord]) async throws {
        for record in records {
            try await send(
                Frame(
                    type: "log", taskID: record.taskID, runID: record.runID, stream: record.stream, level: record.level,
                    content: record.content, sequence: record.sequence, timestamp: record.timestamp ?? record.createdAt))
        }
    }

    func status(_ change: TaskStatusChange) async throws {}

    func heartbeat() async throws {}

    func end(task: TaskRecord, run: TaskRunRecord?) async throws {
        try await outbound.close(.normalClosure, reason: "task \(task.status)")
    }

    private func send(_ value: some Encodable) async throws {
        let data = try JSONIO.encoder().encode(value)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }
}
