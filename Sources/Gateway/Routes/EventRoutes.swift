import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Orchestrator

/// The events streams (api.md §11, §14.1): `GET /api/v1/events` as a WebSocket (or SSE when not an
/// upgrade and `Accept: text/event-stream`) with the caller's tenant's events, and
/// `GET /admin/api/v1/events` (WebSocket, admin credentials or a `?ticket=`) across tenants.
/// Filters: `event_type` (repeat; exact, `task.*`, bare `task`, or `*`) and `labels` (a JSON object
/// string, or `labels[key]=value` pairs). Each subscriber has a 64-event buffer; when it is full the
/// overflow is dropped and the subscriber gets `{"type":"error","message":"events dropped"}`.
enum EventRoutes {
    /// The frame of one event.
    struct Frame: Encodable {
        let type = "event"
        let eventType: String
        let resource: String
        let id: String
        let data: [String: EventField]
        let timestamp: Timestamp

        init(_ event: DomainEvent) {
            eventType = event.type
            resource = event.resourceType
            id = event.resourceID
            data = event.data
            timestamp = event.timestamp
        }

        enum CodingKeys: String, CodingKey {
            case type, eventType = "event_type", resource, id, data, timestamp
        }
    }

    static let droppedFrame = #"{"type":"error","message":"events dropped"}"#

    /// The request's filters, for subscribers seeing `scope`.
    static func filter(_ request: Request, scope: TenantScope) throws(APIError) -> EventBus.Filter {
        let query = QueryParams(request)
        var patterns: [EventPattern] = []
        for text in query.all("event_type") {
            for part in text.split(separator: ",") { patterns.append(try EventPattern(parsing: String(part))) }
        }
        var labels = try query.labels()
        if let json = query.first("labels"), !json.isEmpty {
            guard let object = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)) else {
                throw .validation("labels must be a JSON object of strings, e.g. {\"team\":\"docs\"}", field: "labels")
            }
            try Labels.validate(object)
            labels.merge(object) { first, _ in first }
        }
        return EventBus.Filter(patterns: patterns, labels: labels, scope: scope)
    }

    static func encode(_ event: DomainEvent) -> String {
        (try? String(decoding: JSONIO.encoder().encode(Frame(event)), as: UTF8.self)) ?? droppedFrame
    }

    // MARK: Public

    static func register(_ router: Router<WebSocketAPIContext>, _ s: GatewayServices) {
        router.ws("api/v1/events") { request, context in
            (try? await publicFilter(request, s)) == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let filter = try? await publicFilter(context.request, s) else { return }
            try await pump(s.store.events.subscribe(filter), inbound: inbound, outbound: outbound)
        }
    }

    /// SSE on `GET /api/v1/events` (EventSource cannot set headers: `?token=` is accepted).
    static func registerSSE(_ table: inout RouteTable, _ group: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(group, prefix: "/api/v1", .get, "events") { request, context in
            let scope = try context.authorize("events:read", multiTenant: mt)
            guard request.headers[.accept]?.contains("text/event-stream") ?? false else {
                throw APIError.validation(
                    "GET /api/v1/events is a WebSocket, or Server-Sent Events with Accept: text/event-stream")
            }
            let events = s.store.events.subscribe(try filter(request, scope: scope))
            var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
            headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                try await sse(events, into: &writer)
                try await writer.finish(nil)
            })
        }
    }

    private static func publicFilter(_ request: Request, _ s: GatewayServices) async throws -> EventBus.Filter {
        let token = try WebSocketCredential.from(request, missing: "an API key is required")
        let principal = try await s.authenticator.authenticate(token)
        try principal.require("events:read")
        return try filter(request, scope: principal.scope(multiTenant: s.config.multiTenant))
    }

    // MARK: Admin

    static func registerAdmin(_ router: Router<WebSocketAPIContext>, _ s: GatewayServices, tickets: WebSocketTickets) {
        router.ws("admin/api/v1/events") { request, context in
            (try? adminFilter(request, s, tickets: tickets, consume: false)) == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let filter = try? adminFilter(context.request, s, tickets: tickets, consume: true) else { return }
            try await pump(s.store.events.subscribe(filter), inbound: inbound, outbound: outbound)
        }
    }

    /// Admin credentials in the header (Basic, or Bearer master key), else a one-time `?ticket=`
    /// from `POST /admin/api/v1/ws-tickets`. `tenant_id` narrows to one tenant.
    private static func adminFilter(_ request: Request, _ s: GatewayServices, tickets: WebSocketTickets, consume: Bool) throws
        -> EventBus.Filter
    {
        try AdminWebSocketCredential.check(request, s, tickets: tickets, consume: consume)
        let tenant = QueryParams(request).first("tenant_id")
        return try filter(request, scope: tenant.map { .tenant($0) } ?? .system)
    }

    // MARK: Writing

    /// Events out as text frames until the client goes away (its inbound side ends).
    private static func pump(
        _ events: AsyncStream<EventBus.Delivery>, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in inbound.messages(maxSize: 1 << 16) {}
            }
            group.addTask {
                for await delivery in events {
                    switch delivery {
                    case .event(let event): try await outbound.write(.text(encode(event)))
                    case .dropped: try await outbound.write(.text(droppedFrame))
                    }
                }
            }
            // Either side ending ends the subscription (the other task is cancelled).
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// SSE comments keep idle connections (and proxies) open, and find clients that hung up.
    static let keepaliveInterval: Duration = .seconds(5)

    private enum SSEOutput: Sendable {
        case delivery(EventBus.Delivery)
        case keepalive
    }

    /// A client that hung up is noticed at the next write (an event or the keepalive): the server
    /// reads nothing more from an HTTP/1.1 connection while its response streams.
    private static func sse(_ events: AsyncStream<EventBus.Delivery>, into writer: inout any ResponseBodyWriter) async throws {
        let (outputs, continuation) = AsyncStream<SSEOutput>.makeStream()
        let feeder = Task {
            for await delivery in events { continuation.yield(.delivery(delivery)) }
            continuation.finish()
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepaliveInterval)
                continuation.yield(.keepalive)
            }
        }
        defer {
            feeder.cancel()
            ticker.cancel()
        }
        for await output in outputs {
            var buffer = ByteBufferAllocator().buffer(capacity: 512)
            switch output {
            case .keepalive:
                buffer.writeStaticString(": keepalive\n\n")
            case .delivery(.event(let event)):
                buffer.writeStaticString("event: ")
                buffer.writeString(event.type)
                buffer.writeStaticString("\ndata: ")
                buffer.writeString(encode(event))
                buffer.writeStaticString("\n\n")
            case .delivery(.dropped):
                buffer.writeStaticString("event: error\ndata: ")
                buffer.writeString(droppedFrame)
                buffer.writeStaticString("\n\n")
            }
            try await writer.write(buffer)
        }
    }
}
