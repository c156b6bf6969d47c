import Core
import Hummingbird
import Orchestrator

/// Stream management (api.md §10.1). WHEP/WHIP and the input WebSocket live elsewhere.
enum StreamRoutes {
    static let states = StreamStateMachine.State.allCases.map(\.rawValue)
    static let types = StreamService.types + StreamService.laterTypes

    static func register(_ table: inout RouteTable, _ api: RouterGroup<APIContext>, _ s: GatewayServices) {
        let mt = s.config.multiTenant
        table.add(api, prefix: "/api/v1", .post, "sessions/{sessionID}/streams") { request, context in
            let scope = try context.authorize("streams:write", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            let body = try await JSONIO.decode(CreateStreamRequest.self, from: request)
            let stream = try await s.streams.create(body, sessionID: id, createdBy: context.principal?.keyID, scope: scope)
            return try JSONIO.response(stream, status: .created)
        }
        table.add(api, prefix: "/api/v1", .get, "sessions/{sessionID}/streams") { request, context in
            let scope = try context.authorize("streams:read", multiTenant: mt)
            let id = try context.pathID("sessionID", .session, kind: "session")
            let query = QueryParams(request)
            var filter = StreamFilter()
            filter.states = try query.enums("state", states)
            filter.types = try query.enums("type", types)
            filter.includeStopped = try query.bool("include_stopped")
            return try JSONIO.response(try await s.streams.list(sessionID: id, filter, page: try query.page(), scope: scope))
        }
        table.add(api, prefix: "/api/v1", .get, "streams/{streamID}") { _, context in
            let scope = try context.authorize("streams:read", multiTenant: mt)
            let id = try context.pathID("streamID", .stream, kind: "stream")
            return try JSONIO.response(try await s.streams.get(id, scope: scope))
        }
        table.add(api, prefix: "/api/v1", .delete, "streams/{streamID}") { _, context in
            let scope = try context.authorize("streams:write", multiTenant: mt)
            let id = try context.pathID("streamID", .stream, kind: "stream")
            try await s.streams.stop(id, scope: scope)
            await s.sfu.server?.closeStream(id)  // viewers and the publisher go at once
            return JSONIO.noContent()
        }
        table.add(api, prefix: "/api/v1", .get, "streams/{streamID}/stats") { _, context in
            let scope = try context.authorize("streams:read", multiTenant: mt)
            let id = try context.pathID("streamID", .stream, kind: "stream")
            let stream = try await s.streams.record(id, scope: scope)
            let stats = await s.sfu.server?.streamStats(streamID: id)
            return try JSONIO.response(StreamStatsResponse(stream: stream, stats: stats))
        }
        table.add(api, prefix: "/api/v1", .post, "streams/{streamID}/tokens") { request, context in
            let scope = try context.authorize("streams:write", multiTenant: mt)
            let id = try context.pathID("streamID", .stream, kind: "stream")
            let body = try await JSONIO.decodeOptional(CreateStreamTokenRequest.self, from: request) ?? CreateStreamTokenRequest()
            let token = try await s.streams.mintToken(id, body, createdBy: context.principal?.keyID, scope: scope)
            return try JSONIO.response(token, status: .created)
        }
    }
}
