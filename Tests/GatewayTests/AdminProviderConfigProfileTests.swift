import Core
import Foundation
import Orchestrator
import Testing

@testable import Gateway

/// `/admin/api/v1/provider-configs` and `/admin/api/v1/profiles` (api.md §13.2) through the real
/// admin router: statuses, error bodies, filters, and sessions naming a new profile.
@Suite struct AdminProviderConfigProfileTests {
    @Test func providerConfigsAndProfilesOverHTTP() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        try await h.admin { admin in
            #expect(try await admin.send(.get, "/admin/api/v1/provider-configs", auth: .some(nil)).status == 401)
            let created = try await admin.send(
                .post, "/admin/api/v1/provider-configs",
                json: #"{"name":"local-main","provider":"local","config":{"max_runners":4},"suspend_config":{"strategy":"terminate"},"is_default":true,"labels":{"env":"dev"}}"#)
            #expect(created.status == 201, "\(created.body)")
            let configID = try #require(created.json["id"] as? String)
            #expect(configID.hasPrefix("pcfg_") && created.json["is_default"] as? Bool == true)
            #expect((created.json["suspend_config"] as? [String: Any])?["strategy"] as? String == "terminate")

            let bad = try await admin.send(.post, "/admin/api/v1/provider-configs", json: #"{"name":"x","provider":"vmware"}"#)
            #expect(bad.status == 400 && bad.code == "validation_error", "\(bad.body)")
            #expect((bad.json["message"] as? String)?.contains("provider must be one of") == true)
            let badSuspend = try await admin.send(
                .post, "/admin/api/v1/provider-configs", json: #"{"name":"x","provider":"docker","suspend_config":{"strategy":"sleep"}}"#)
            #expect(badSuspend.status == 400, "\(badSuspend.body)")
            #expect(try await admin.send(.post, "/admin/api/v1/provider-configs", json: #"{"name":"local-main","provider":"docker"}"#).code == "name_exists")
            #expect(try await admin.send(.get, "/admin/api/v1/provider-configs/pcfg_nope").status == 404)
            #expect(try await admin.send(.get, "/admin/api/v1/provider-configs?provider=local&labels=env=dev").json["total_count"] as? Int == 1)
            #expect(try await admin.send(.get, "/admin/api/v1/provider-configs?provider=docker").json["total_count"] as? Int == 0)
            let updated = try await admin.send(.put, "/admin/api/v1/provider-configs/\(configID)", json: #"{"config":{"max_runners":8}}"#)
            #expect(updated.status == 200 && (updated.json["config"] as? [String: Any])?["max_runners"] as? Int == 8)
            #expect(updated.json["name"] as? String == "local-main")

            let profile = try await admin.send(
                .post, "/admin/api/v1/profiles",
                json: #"{"name":"frontend","provider_config_id":"\#(configID)","resources":{"cpus":2,"memory_mb":4096},"tunnels":[{"type":"http","local_port":5173}]}"#)
            #expect(profile.status == 201, "\(profile.body)")
            let profileID = try #require(profile.json["id"] as? String)
            #expect(profile.json["is_builtin"] as? Bool == false)
            let typo = try await admin.send(.post, "/admin/api/v1/profiles", json: #"{"name":"t","resources":{"memory":4096}}"#)
            #expect(typo.status == 400 && (typo.json["message"] as? String)?.contains("memory_mb") == true, "\(typo.body)")
            let missingConfig = try await admin.send(.post, "/admin/api/v1/profiles", json: #"{"name":"m","provider_config_id":"pcfg_AbCdEfGh12345678"}"#)
            #expect(missingConfig.status == 400, "\(missingConfig.body)")

            let mine = try await admin.send(.get, "/admin/api/v1/profiles")
            #expect((mine.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [profileID], "\(mine.body)")
            let all = try await admin.send(.get, "/admin/api/v1/profiles?include_builtin=true&limit=100")
            #expect(all.json["total_count"] as? Int == 8, "\(all.body)")
            #expect(try await admin.send(.get, "/admin/api/v1/profiles?provider_config_id=\(configID)").json["total_count"] as? Int == 1)
            let builtin = try await admin.send(.get, "/admin/api/v1/profiles/prof_builtin_android-dev")
            #expect(builtin.status == 200 && builtin.json["is_builtin"] as? Bool == true, "\(builtin.body)")
            let readOnly = try await admin.send(.put, "/admin/api/v1/profiles/prof_builtin_android-dev", json: #"{"name":"mine"}"#)
            #expect(readOnly.status == 409 && readOnly.code == "invalid_state", "\(readOnly.body)")
            #expect(try await admin.send(.delete, "/admin/api/v1/profiles/prof_builtin_secure").status == 409)
            #expect(try await admin.send(.get, "/admin/api/v1/profiles/prof_builtin_nope").status == 404)
            #expect(try await admin.send(.get, "/admin/api/v1/profiles/prof_x").status == 404)

            // Sessions can name the new profile.
            try await h.api { api in
                let session = try await api.send(.post, "/api/v1/sessions", json: #"{"agent":"claude","profile_id":"\#(profileID)"}"#)
                #expect(session.status == 201 && session.json["profile_id"] as? String == profileID, "\(session.body)")
            }

            #expect(try await admin.send(.delete, "/admin/api/v1/provider-configs/\(configID)").status == 204)
            let orphan = try await admin.send(.get, "/admin/api/v1/profiles/\(profileID)")
            #expect(orphan.status == 200 && orphan.json["provider_config_id"] == nil, "\(orphan.body)")
            #expect(try await admin.send(.delete, "/admin/api/v1/profiles/\(profileID)").status == 204)
            #expect(try await admin.send(.get, "/admin/api/v1/profiles/\(profileID)").status == 404)

            let audit = try await admin.send(.get, "/admin/api/v1/action-logs?action_prefix=config.&limit=100")
            let kinds = (audit.json["items"] as? [[String: Any]])?.compactMap { ($0["details"] as? [String: Any])?["kind"] as? String } ?? []
            #expect(kinds.filter { $0 == "provider" }.count == 3 && kinds.filter { $0 == "profile" }.count == 2, "\(audit.body)")
        }
    }
}
