import Core
import Hummingbird
import Orchestrator

/// `GET /admin/api/v1/streams`, `GET`/`DELETE /admin/api/v1/streams/{streamID}` and
/// `GET /admin/api/v1/tunnels` (api.md §13.2): the streams and tunnels of every session and
/// tenant, with the admin filters (`runner_id`, `tenant_id`).
enum AdminStreamTunnelRoutes {
    static func register(_ table: inout RouteTable, _ admin: RouterGroup<APIContext>, _ s: GatewayServices) {
        let prefix = "/admin/api/v1"
        table.add(admin, prefix: prefix, .get, "streams") { request, _ in
            let query = QueryParams(request)
            var filter = StreamFilter()
            filter.sessionID = try id(query, "session_id", .session)
            filter.runnerID = try id(query, "runner_id", .runner)
            filter.tenantID = query.first("tenant_id")
            filter.states = try query.enums("state", StreamRoutes.states)
            filter.types = try query.enums("type", StreamRoutes.types)
            filter.includeStopped = try query.bool("include_stopped")
            return try JSONIO.response(try await s.streams.list(filter, page: try query.page(), scope: .system))
        }
        table.add(admin, prefix: prefix, .get, "streams/{streamID}") { _, context in
            let id = try context.pathID("streamID", .stream, kind: "stream")
            return try JSONIO.response(try await s.streams.get(id, scope: .system))
        }
        table.add(admin, prefix: prefix, .delete, "streams/{streamID}") { _, context in
            let id = try context.pathID("streamID", .stream, kind: "stream")
            try await s.streams.stop(id, scope: .system)
            await s.sfu.server?.closeStream(id)  // viewers and the publisher go at once
            return JSONIO.noContent()
        }
        table.add(admin, prefix: prefix, .get, "tunnels") { request, _ in
            let query = QueryParams(request)
            var filter = TunnelFilter()
            filter.sessionID = try id(query, "session_id", .session)
            filter.tenantID = query.first("tenant_id")
            filter.types = try query.enums("type", TunnelService.types)
            filter.includeClosed = try query.bool("include_closed")
            return try JSONIO.response(try await s.tunnels.list(filter, page: try query.page(), scope: .system))
        }
    }

    /// An id filter: one of the wrong shape matches nothing, so it is refused rather than ignored.
    private static func id(_ query: QueryParams, _ name: String, _ prefix: IDPrefix) throws(APIError) -> String? {
        guard let value = query.first(name), !value.isEmpty else { return nil }
        guard ID.isValid(value, prefix: prefix) else {
            throw .validation("\(name) must be a \(prefix.rawValue)_ id", field: name)
        }
        return value
    }
}
