import Core
import Foundation
import Orchestrator
import Testing

@testable import Gateway

/// `/admin/api/v1/runners` (api.md §13.2) through the real admin router: the admin fields, the
/// filters (status as CSV), and DELETE refused while busy.
@Suite struct AdminRunnerTests {
    @Test func listGetAndDestroy() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        let idle = "run_AbCdEfGh00000001"
        let busy = "run_AbCdEfGh00000002"
        let offline = "run_AbCdEfGh00000003"
        try await h.services.store.database.transaction(.system) { db in
            try await db.execute(
                """
                INSERT INTO runners (id, name, hostname, status, pool_name, provider_instance_id, tenant_id, labels, created_at, updated_at)
                VALUES (?, 'ci-1', 'host-1', 'idle', 'ci', '4242', 'acme', '{"zone":"a"}', '2026-01-01T00:00:01Z', '2026-01-01T00:00:01Z')
                """, [.text(idle)])
            try await db.execute(
                "INSERT INTO runners (id, name, hostname, status, pool_name) VALUES (?, 'ci-2', 'host-2', 'busy', 'ci')", [.text(busy)])
            try await db.execute("INSERT INTO runners (id, name, hostname) VALUES (?, 'laptop', 'host-3')", [.text(offline)])
        }
        try await h.admin { admin in
            #expect(try await admin.send(.get, "/admin/api/v1/runners", auth: .some(nil)).status == 401)
            let all = try await admin.send(.get, "/admin/api/v1/runners")
            #expect(all.status == 200 && all.json["total_count"] as? Int == 3, "\(all.body)")
            let working = try await admin.send(.get, "/admin/api/v1/runners?status=idle,busy")
            #expect(Set((working.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []) == [idle, busy])
            #expect(try await admin.send(.get, "/admin/api/v1/runners?status=asleep").status == 400)
            #expect(try await admin.send(.get, "/admin/api/v1/runners?pool_name=ci&labels=zone=a").json["total_count"] as? Int == 1)

            let one = try await admin.send(.get, "/admin/api/v1/runners/\(idle)")
            #expect(one.status == 200 && one.json["name"] as? String == "ci-1", "\(one.body)")
            #expect(one.json["provider_instance_id"] as? String == "4242" && one.json["tenant_id"] as? String == "acme")
            #expect(one.json["claim_session_id"] == nil)
            #expect(try await admin.send(.get, "/admin/api/v1/runners/run_nope").status == 404)

            let refused = try await admin.send(.delete, "/admin/api/v1/runners/\(busy)")
            #expect(refused.status == 409 && refused.code == "invalid_state", "\(refused.body)")
            #expect(try await admin.send(.delete, "/admin/api/v1/runners/\(idle)").status == 204)
            #expect(try await admin.send(.delete, "/admin/api/v1/runners/\(offline)").status == 204)
            #expect(try await admin.send(.get, "/admin/api/v1/runners/\(idle)").status == 404)
            #expect(try await admin.send(.get, "/admin/api/v1/runners").json["total_count"] as? Int == 1)
        }
        // The public list still shows only the public fields.
        try await h.api { api in
            let runners = try await api.send(.get, "/api/v1/runners")
            #expect(runners.status == 200 && !runners.body.contains("provider_instance_id"), "\(runners.body)")
        }
    }
}
