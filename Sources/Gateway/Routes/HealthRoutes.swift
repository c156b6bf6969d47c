import Core
import Foundation
import Hummingbird
import Orchestrator

/// Unauthenticated service routes on both listeners (api.md §2, §13.1).
enum HealthRoutes {
    static let version = "0.1.0"

    struct ReadyCheck: Encodable {
        var status: String
        var message: String?
        var latency: String?
    }

    struct Ready: Encodable {
        var status: String
        var checks: [String: ReadyCheck]
    }

    static func register(_ table: inout RouteTable, _ router: Router<APIContext>, _ s: GatewayServices, admin: Bool) {
        let ok: @Sendable (Request, APIContext) async throws -> Response = { _, _ in
            if admin {
                return try JSONIO.response(["status": "ok", "version": version, "service": "marionette-admin"])
            }
            return try JSONIO.response(["status": "ok"])
        }
        table.add(router, .get, "/health", ok)
        table.add(router, .get, "/healthz", ok)
        table.add(router, .get, "/health/live") { _, _ in try JSONIO.response(["status": "ok"]) }
        table.add(router, .get, "/health/ready") { _, _ in
            let ready = await readiness(s)
            return try JSONIO.response(ready, status: ready.status == "ok" ? .ok : .serviceUnavailable)
        }
        if !admin {
            table.add(router, .get, "/openapi.yaml") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/yaml"],
                    body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
            }
        }
    }

    /// Pings the store with a 5 s budget.
    static func readiness(_ s: GatewayServices) async -> Ready {
        let started = ContinuousClock.now
        var check = ReadyCheck(status: "ok")
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await s.store.apiKeyCount() }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    throw APIError.serviceUnavailable("database did not answer within 5 s")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            check = ReadyCheck(status: "fail", message: "database unreachable")
            s.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
        }
        check.latency = "\(ContinuousClock.now - started)"
        return Ready(status: check.status, checks: ["database": check])
    }
}
