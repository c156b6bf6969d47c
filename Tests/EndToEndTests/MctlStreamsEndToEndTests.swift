import Foundation
import Testing

/// `mctl streams` against a real server (MctlEndToEndTests style): create, list, get, view, stop.
@Suite(.serialized) struct MctlStreamsEndToEndTests {
    static let mctl = ServerProcess.binary("mctl")

    @Test func streamCommandsWork() async throws {
        let server = try ServerProcess()
        defer { server.stopNow() }
        try await server.waitUntilReady()
        let key = try #require(server.apiKey)
        let home = ServerProcess.tempDir("mctl-streams")
        let env = ["MARIONETTE_API_URL": server.baseURL, "MARIONETTE_API_KEY": key, "HOME": home, "XDG_CONFIG_HOME": home]
        func json(_ result: CommandResult) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }

        // A pending session (no task, so no runner starts): streams wait in pending.
        let session = try await run(Self.mctl, ["sessions", "create", "--agent", "command", "-o", "json"], environment: env)
        #expect(session.status == 0, "\(session.stderr)")
        let sid = try #require(try json(session)["id"] as? String)

        let created = try await run(
            Self.mctl, ["streams", "create", sid, "--type", "testsrc", "--width", "640", "--height", "360", "--fps", "15",
                        "--bitrate", "1500", "--codec", "vp9", "--ttl", "30m", "-o", "json"],
            environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        let stream = try json(created)
        let id = try #require(stream["id"] as? String)
        #expect(stream["state"] as? String == "pending")
        #expect(stream["video_codec"] as? String == "vp9")
        #expect(stream["bitrate_kbps"] as? Int == 1500)
        #expect(stream["expires_at"] is String)
        #expect((stream["viewer_token"] as? String)?.hasPrefix("stok_") == true)

        let table = try await run(Self.mctl, ["streams", "create", "--session", sid, "--type", "webrtc"], environment: env)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("Viewer URL:"))
        #expect(table.stdout.contains("/view#token=stok_"))
        #expect(table.stdout.contains("WHIP URL:"))
        #expect(table.stdout.contains("Publish token:"))

        let list = try await run(Self.mctl, ["streams", "list", sid], environment: env)
        #expect(list.status == 0, "\(list.stderr)")
        for column in ["ID", "TYPE", "STATE", "SIZE", "VIEWERS", "CREATED"] { #expect(list.stdout.contains(column)) }
        #expect(list.stdout.contains(id))
        #expect(list.stdout.contains("640x360"))

        let got = try await run(Self.mctl, ["streams", "get", id, "-o", "yaml"], environment: env)
        #expect(got.stdout.contains("type: testsrc"))
        #expect(!got.stdout.contains("stok_"))

        // Stats of a stream that has no media yet: zeros, the stream's own target bitrate.
        let stats = try await run(Self.mctl, ["streams", "stats", id], environment: env)
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("Frames In:") && stats.stdout.contains("Target Bitrate:"), "\(stats.stdout)")
        #expect(stats.stdout.contains("1500 kbit/s"), "\(stats.stdout)")
        let statsJSON = try json(try await run(Self.mctl, ["streams", "stats", id, "-o", "json"], environment: env))
        #expect(statsJSON["stream_id"] as? String == id)
        #expect(statsJSON["viewer_count"] as? Int == 0 && statsJSON["packets_out"] as? Int == 0)

        let view = try await run(Self.mctl, ["streams", "view", id, "--view-only"], environment: env)
        #expect(view.status == 0, "\(view.stderr)")
        let url = view.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url.hasPrefix(server.baseURL + "/streams/\(id)/view#token=stok_"), "\(url)")

        let stop = try await run(Self.mctl, ["streams", "stop", id], environment: env)
        #expect(stop.stdout.contains("Stream \(id) stopped."), "\(stop.stdout) \(stop.stderr)")
        let after = try await HTTP.get(server.baseURL + "/api/v1/streams/\(id)", key: key)
        #expect(after.json["state"] as? String == "stopped")
        let hidden = try await run(Self.mctl, ["streams", "list", sid, "-o", "json"], environment: env)
        #expect(!hidden.stdout.contains(id))
        let shown = try await run(Self.mctl, ["streams", "list", sid, "--include-stopped", "-o", "json"], environment: env)
        #expect(shown.stdout.contains(id))

        let missing = try await run(Self.mctl, ["streams", "get", "strm_AAAAAAAA00000000"], environment: env)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains(#"Error: stream "strm_AAAAAAAA00000000" not found"#))
        let unsupported = try await run(Self.mctl, ["streams", "create", sid, "--type", "android", "--codec", "vp8"], environment: env)
        #expect(unsupported.status == 1)
        #expect(unsupported.stderr.contains("video_codec"))
    }
}
