import Core
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /metrics` on the admin listener (orchestration.md §12): Prometheus text, route templates as
/// `path` labels (never raw paths with ids), unauthenticated, and only on the admin listener.
@Suite struct MetricsRoutesTests {
    @Test func metricsCountRequestsByRouteTemplate() async throws {
        let harness = try await GatewayHarness.make()
        defer { Task { await harness.close() } }
        try await harness.api { client in
            let created = try await client.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#)
            #expect(created.status == 201)
            let sessionID = try #require(created.json["id"] as? String)
            #expect(try await client.send(.get, "/api/v1/sessions/\(sessionID)").status == 200)
            #expect(try await client.send(.get, "/api/v1/sessions/sess_doesnotexist").status == 404)
            // The public listener does not serve metrics.
            #expect(try await client.send(.get, "/metrics").status == 404)
        }
        try await harness.admin { client in
            let reply = try await client.send(.get, "/metrics", auth: .some(nil))
            #expect(reply.status == 200)
            #expect(reply.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = reply.body
            #expect(text.contains(#"marionette_http_requests_total{method="POST",path="/api/v1/sessions",status="201"} 1"#))
            #expect(text.contains(#"path="/api/v1/sessions/{sessionID}",status="200"} 1"#))
            #expect(text.contains(#"path="/api/v1/sessions/{sessionID}",status="404"} 1"#))
            #expect(!text.contains("sess_"), "ids never become labels")
            #expect(text.contains("marionette_http_request_duration_seconds_bucket"))
            // Registered up front, so dashboards see zeros rather than gaps.
            #expect(text.contains(#"marionette_tunnel_bytes_total{direction="in"} 0"#))
            #expect(text.contains(#"marionette_tunnel_connections_total{type="http",outcome="opened"} 0"#))
            #expect(text.contains(#"marionette_tunnel_window_stalls_total{direction="in"} 0"#))
            #expect(text.contains("marionette_task_dispatch_latency_seconds_count 0"))
            #expect(text.contains("marionette_log_follow_streams 0"))
            #expect(text.contains("marionette_permission_requests_pending 0"))
            #expect(text.contains(#"marionette_sfu_forward_delay_seconds_bucket{le="+Inf"} 0"#))
            #expect(text.contains("marionette_stream_first_frame_seconds_count 0"))
        }
    }

    /// `observability.metrics.enabled`: the same exposition on a listener of its own, at its path
    /// only (a scraper there reaches nothing else).
    @Test func theSeparateListenerServesOnlyItsPath() async throws {
        var config = ServerConfig()
        try config.apply(key: "observability.metrics.enabled", value: "true")
        try config.apply(key: "observability.metrics.path", value: "/prom")
        #expect(throws: ServerConfig.ConfigError.self) { try config.apply(key: "observability.metrics.path", value: "prom") }
        let harness = try await GatewayHarness.make(config: config)
        defer { Task { await harness.close() } }
        let router = GatewayBuilder.metricsRouter(harness.services)
        try await Application(router: router).test(.router) { client in
            let reply = try await client.execute(uri: "/prom", method: .get)
            #expect(reply.status == .ok)
            #expect(String(buffer: reply.body).contains("# TYPE marionette_tunnels_active gauge"))
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/admin/api/v1/keys", method: .get).status == .notFound)
        }
    }
}
