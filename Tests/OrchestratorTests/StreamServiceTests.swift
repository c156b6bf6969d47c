import Core
import Foundation
import Synchronization
import Testing

@testable import Orchestrator

/// Streams on both engines: create rules, limits, listing, stop, state changes, tokens, tenants.
@Suite struct StreamServiceTests {
    static let publicURL = "https://mari.example"

    static func service(_ store: Store) -> StreamService { StreamService(store: store, publicURL: publicURL) }

    static func session(_ store: Store, scope: TenantScope = .single, active: Bool = false) async throws -> SessionRecord {
        let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: scope)
        if active {
            try await store.database.transaction(.system) {
                try await $0.execute("UPDATE sessions SET status = 'active' WHERE id = ?", [.text(session.id)])
            }
        }
        return session
    }

    static func expectError(
        _ code: String, field: String? = nil, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        do {
            try await body()
            Issue.record("expected \(code)", sourceLocation: sourceLocation)
        } catch let error as APIError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let field { #expect(error.details?["field"] == field, "\(error)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Engine.allCases)
    func createAppliesPerTypeDefaultsAndTokens(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let streams = Self.service(store)
            let session = try await Self.session(store)
            let desktop = try await streams.create(CreateStreamRequest(), sessionID: session.id, createdBy: "key_x", scope: .single)
            let d = desktop.record
            #expect(ID.isValid(d.id, prefix: .stream))
            #expect(d.type == "desktop" && d.state == "pending" && d.providerName == "x11")
            #expect(d.width == 1920 && d.height == 1080 && d.fps == 30 && d.bitrateKbps == 2500)
            #expect(d.videoCodec == "vp8" && d.audio == false && d.audioCodec == nil && d.input == true)
            #expect(d.display == ":99" && d.metadata["xvfb"] == .bool(true) && d.expiresAt == nil)
            #expect(desktop.whepURL == "https://mari.example/api/v1/streams/\(d.id)/whep")
            #expect(desktop.viewerURL == "https://mari.example/streams/\(d.id)/view")
            #expect(desktop.inputURL == "wss://mari.example/api/v1/streams/\(d.id)/input")
            #expect(desktop.whipURL == nil && desktop.publishToken == nil)
            let viewer = try #require(desktop.viewerToken)
            #expect(viewer.hasPrefix("stok_") && viewer.count == 48)
            let auth = StreamTokenAuthenticator(store: store, logger: TestDatabases.logger)
            #expect(await auth.authenticateStreamToken(raw: viewer, streamID: d.id) == .control)

            let testsrc = try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: session.id, createdBy: nil, scope: .single).record
            #expect(testsrc.width == 1280 && testsrc.height == 720 && testsrc.bitrateKbps == 4000 && testsrc.input == false)
            #expect(testsrc.providerName == "testsrc" && testsrc.display == nil && testsrc.metadata.isEmpty)

            var androidRequest = CreateStreamRequest(type: "android")
            androidRequest.serial = "emulator-5554"
            androidRequest.audio = true
            let android = try await streams.create(androidRequest, sessionID: session.id, createdBy: nil, scope: .single)
            let a = android.record
            #expect(a.videoCodec == "h264" && a.fps == 60 && a.bitrateKbps == 8000 && a.maxSize == 1920)
            #expect(a.width == nil && a.serial == "emulator-5554" && a.audioCodec == "opus" && a.providerName == "scrcpy")
            let androidViewer = try #require(android.viewerToken)
            #expect(await auth.authenticateStreamToken(raw: androidViewer, streamID: a.id) == .control)

            let webrtc = try await streams.create(CreateStreamRequest(type: "webrtc"), sessionID: session.id, createdBy: nil, scope: .single)
            #expect(webrtc.record.state == "starting" && webrtc.record.providerName == "whip")
            #expect(webrtc.record.videoCodec == nil && webrtc.record.input == false && webrtc.record.fps == nil)
            #expect(webrtc.whipURL == "https://mari.example/api/v1/streams/\(webrtc.record.id)/whip")
            let publish = try #require(webrtc.publishToken)
            #expect(await auth.authenticateStreamToken(raw: publish, streamID: webrtc.record.id) == .publish)
            #expect(await auth.authenticateStreamToken(raw: try #require(webrtc.viewerToken), streamID: webrtc.record.id) == .view)

            // Reads never carry tokens.
            let read = try await streams.get(d.id, scope: .single)
            #expect(read.viewerToken == nil && read.record == d)
            let json = String(decoding: try JSONEncoder().encode(read), as: UTF8.self)
            #expect(!json.contains("stok_") && !json.contains("tenant_id") && json.contains("\"viewer_count\":0"))
        }
    }

    @Test(arguments: Engine.allCases)
    func checkConstraintsRefuseBadRows(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let sid = try await Self.session(store).id
            func insert(_ type: String, _ state: String, width: Int = 640) async throws {
                try await store.database.transaction(.system) {
                    try await $0.execute(
                        "INSERT INTO streams (id, session_id, type, state, provider_name, resolution_width) VALUES (?, ?, ?, ?, 'x11', ?)",
                        [.text(ID.make(.stream)), .text(sid), .text(type), .text(state), .int(width)])
                }
            }
            try await insert("desktop", "pending")
            await #expect(throws: (any Error).self) { try await insert("vnc", "pending") }
            await #expect(throws: (any Error).self) { try await insert("desktop", "error") }
            await #expect(throws: (any Error).self) { try await insert("desktop", "pending", width: 0) }
        }
    }

    @Test func requestAcceptsTheSpecAliases() throws {
        let body = #"""
            {"type":"desktop","frame_rate":25,"codec":"vp9","audio_enabled":true,"input_enabled":false,
             "device_serial":"abc","max_fps":99}
            """#
        let request = try JSONDecoder().decode(CreateStreamRequest.self, from: Data(body.utf8))
        #expect(request.fps == 25 && request.videoCodec == "vp9" && request.audio == true && request.input == false)
        #expect(request.serial == "abc")
        let control = try JSONDecoder().decode(CreateStreamRequest.self, from: Data(#"{"control":false,"max_fps":12}"#.utf8))
        #expect(control.input == false && control.fps == 12)
        let canonicalWins = try JSONDecoder().decode(
            CreateStreamRequest.self, from: Data(#"{"fps":10,"frame_rate":20,"video_codec":"vp8","codec":"vp9"}"#.utf8))
        #expect(canonicalWins.fps == 10 && canonicalWins.videoCodec == "vp8")
    }

    @Test(arguments: Engine.allCases)
    func validationNamesTheField(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let streams = Self.service(store)
            let sid = try await Self.session(store).id
            func create(_ configure: (inout CreateStreamRequest) -> Void) async throws {
                var request = CreateStreamRequest()
                configure(&request)
                _ = try await streams.create(request, sessionID: sid, createdBy: nil, scope: .single)
            }
            await Self.expectError("unsupported_stream_type") { try await create { $0.type = "browser" } }
            await Self.expectError("unsupported_stream_type") { try await create { $0.type = "ios" } }
            await Self.expectError("validation_error", field: "type") { try await create { $0.type = "vnc" } }
            await Self.expectError("validation_error", field: "video_codec") { try await create { $0.type = "android"; $0.videoCodec = "vp8" } }
            await Self.expectError("validation_error", field: "video_codec") { try await create { $0.videoCodec = "h264" } }
            await Self.expectError("validation_error", field: "video_codec") { try await create { $0.type = "testsrc"; $0.videoCodec = "av1" } }
            await Self.expectError("validation_error", field: "width") { try await create { $0.width = 0 } }
            await Self.expectError("validation_error", field: "height") { try await create { $0.height = 100_000 } }
            await Self.expectError("validation_error", field: "fps") { try await create { $0.fps = 500 } }
            await Self.expectError("validation_error", field: "bitrate_kbps") { try await create { $0.bitrateKbps = -1 } }
            await Self.expectError("validation_error", field: "max_size") { try await create { $0.maxSize = 1280 } }
            await Self.expectError("validation_error", field: "input") { try await create { $0.type = "webrtc"; $0.input = true } }
            await Self.expectError("validation_error", field: "display") { try await create { $0.display = "99" } }
            await Self.expectError("validation_error", field: "display") { try await create { $0.type = "testsrc"; $0.display = ":1" } }
            await Self.expectError("validation_error", field: "serial") { try await create { $0.serial = "abc" } }
            await Self.expectError("validation_error", field: "ttl_seconds") { try await create { $0.ttlSeconds = -5 } }
            await Self.expectError("validation_error", field: "labels") { try await create { $0.labels = ["bad key": "x"] } }
            #expect(try await store.streams(sessionID: sid, StreamFilter(), page: PageRequest(), scope: .single).totalCount == 0)
            // Valid non-defaults pass.
            var vp9 = CreateStreamRequest(type: "testsrc")
            vp9.videoCodec = "vp9"
            vp9.width = 640
            vp9.ttlSeconds = 600
            let created = try await streams.create(vp9, sessionID: sid, createdBy: nil, scope: .single).record
            #expect(created.videoCodec == "vp9" && created.width == 640 && created.height == 720 && created.expiresAt != nil)
        }
    }

    @Test(arguments: Engine.allCases)
    func sessionStateAndPerSessionLimit(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let streams = Self.service(store)
            let session = try await Self.session(store, active: true)
            var ids: [String] = []
            for _ in 0..<4 {
                ids.append(try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: session.id, createdBy: nil, scope: .single).record.id)
            }
            await Self.expectError("limit_exceeded") {
                _ = try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: session.id, createdBy: nil, scope: .single)
            }
            // Stopped and failed streams no longer count.
            try await streams.stop(ids[0], scope: .single)
            _ = try await streams.markFailed(ids[1], code: "display_unavailable", message: "no display :99")
            _ = try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: session.id, createdBy: nil, scope: .single)
            _ = try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: session.id, createdBy: nil, scope: .single)
            await Self.expectError("limit_exceeded") {
                _ = try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: session.id, createdBy: nil, scope: .single)
            }
            let other = try await streams.create(CreateStreamRequest(), sessionID: try await Self.session(store).id, createdBy: nil, scope: .single)
            #expect(other.record.state == "pending")

            _ = try await SessionService(store: store).suspend(session.id, scope: .single)
            await Self.expectError("invalid_state") {
                _ = try await streams.create(CreateStreamRequest(), sessionID: session.id, createdBy: nil, scope: .single)
            }
            await Self.expectError("not_found") {
                _ = try await streams.create(CreateStreamRequest(), sessionID: ID.make(.session), createdBy: nil, scope: .single)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func runnerSourcedStreamsRecordTheSessionsRunner(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let session = try await Self.session(store)
            let runner = ID.make(.runner)
            try await store.database.transaction(.system) { db in
                try await db.execute("INSERT INTO runners (id, name, hostname) VALUES (?, 'r1', 'host')", [.text(runner)])
                try await db.execute("UPDATE sessions SET status = 'active', runner_id = ? WHERE id = ?", [.text(runner), .text(session.id)])
            }
            let streams = Self.service(store)
            let desktop = try await streams.create(CreateStreamRequest(), sessionID: session.id, createdBy: nil, scope: .single).record
            #expect(desktop.runnerID == runner && desktop.state == "pending")
            let webrtc = try await streams.create(CreateStreamRequest(type: "webrtc"), sessionID: session.id, createdBy: nil, scope: .single).record
            #expect(webrtc.runnerID == nil)
        }
    }

    @Test(arguments: Engine.allCases)
    func listFiltersAndPages(_ engine: Engine) async throws {
        try await TestDatabases.with(engine, clock: SteppingClock()) { store in
            let streams = Self.service(store)
            let sid = try await Self.session(store).id
            let a = try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: sid, createdBy: nil, scope: .single).record
            let b = try await streams.create(CreateStreamRequest(type: "desktop"), sessionID: sid, createdBy: nil, scope: .single).record
            let c = try await streams.create(CreateStreamRequest(type: "webrtc"), sessionID: sid, createdBy: nil, scope: .single).record
            try await streams.stop(a.id, scope: .single)
            func ids(_ configure: (inout StreamFilter) -> Void = { _ in }, page: PageRequest = PageRequest()) async throws -> Page<StreamResource> {
                var filter = StreamFilter()
                configure(&filter)
                return try await streams.list(sessionID: sid, filter, page: page, scope: .single)
            }
            #expect(try await ids().items.map(\.record.id) == [c.id, b.id])
            #expect(try await ids { $0.includeStopped = true }.items.map(\.record.id) == [c.id, b.id, a.id])
            #expect(try await ids { $0.states = ["stopped"] }.items.map(\.record.id) == [a.id])
            #expect(try await ids { $0.states = ["pending", "starting"] }.items.map(\.record.id) == [c.id, b.id])
            #expect(try await ids { $0.types = ["webrtc"] }.items.map(\.record.id) == [c.id])
            #expect(try await ids { $0.types = ["webrtc", "testsrc"]; $0.includeStopped = true }.items.map(\.record.id) == [c.id, a.id])
            let first = try await ids({ $0.includeStopped = true }, page: PageRequest(limit: 2))
            #expect(first.items.count == 2 && first.hasMore && first.totalCount == 3)
            let cursor = try Cursor(encoded: try #require(first.nextCursor))
            let second = try await ids({ $0.includeStopped = true }, page: PageRequest(limit: 2, cursor: cursor))
            #expect(second.items.map(\.record.id) == [a.id] && !second.hasMore && second.nextCursor == nil)
            await Self.expectError("not_found") {
                _ = try await streams.list(sessionID: ID.make(.session), StreamFilter(), page: PageRequest(), scope: .single)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func stopAndTheStateChangesTheSFUReports(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let streams = Self.service(store)
            let sid = try await Self.session(store).id
            let id = try await streams.create(CreateStreamRequest(), sessionID: sid, createdBy: nil, scope: .single).record.id
            await Self.expectError("invalid_state") { _ = try await streams.markActive(id) }
            #expect(try await streams.markStarting(id).state == "starting")
            let active = try await streams.markActive(id)
            #expect(active.state == "active")
            let started = try #require(active.startedAt)
            #expect(try await streams.markActive(id).startedAt == started)
            #expect(try await streams.markPaused(id).state == "paused")
            #expect(try await streams.markActive(id).startedAt == started)
            #expect(try await streams.markStarting(id).state == "starting")
            let stopped = try await streams.stop(id, scope: .single).record
            #expect(stopped.state == "stopped" && stopped.stoppedAt != nil)
            #expect(try await streams.stop(id, scope: .single).record == stopped)
            await Self.expectError("invalid_state") { _ = try await streams.markActive(id) }
            await Self.expectError("invalid_state") { _ = try await streams.markFailed(id, code: "x", message: "y") }

            let other = try await streams.create(CreateStreamRequest(), sessionID: sid, createdBy: nil, scope: .single).record.id
            let failed = try await streams.markFailed(other, code: "device_disconnected", message: "adb lost the device")
            #expect(failed.state == "failed" && failed.errorCode == "device_disconnected" && failed.error == "adb lost the device")
            await Self.expectError("invalid_state") { try await streams.stop(other, scope: .single) }
            await Self.expectError("not_found") { try await streams.stop(ID.make(.stream), scope: .single) }
        }
    }

    @Test(arguments: Engine.allCases)
    func tokensWorkOnlyForTheirStreamAndDieWithIt(_ engine: Engine) async throws {
        let clock = AdjustableClock()
        try await TestDatabases.with(engine, clock: clock) { store in
            let streams = Self.service(store)
            let auth = StreamTokenAuthenticator(store: store, logger: TestDatabases.logger)
            let sid = try await Self.session(store).id
            let one = try await streams.create(CreateStreamRequest(), sessionID: sid, createdBy: nil, scope: .single)
            let two = try await streams.create(CreateStreamRequest(type: "testsrc"), sessionID: sid, createdBy: nil, scope: .single)
            let viewer = try #require(one.viewerToken)
            #expect(await auth.authenticateStreamToken(raw: viewer, streamID: one.record.id) == .control)
            #expect(await auth.authenticateStreamToken(raw: viewer, streamID: two.record.id) == nil)
            #expect(await auth.authenticateStreamToken(raw: "stok_" + String(repeating: "A", count: 43), streamID: one.record.id) == nil)
            #expect(await auth.authenticateStreamToken(raw: "mk_" + String(viewer.dropFirst(5)), streamID: one.record.id) == nil)
            #expect(await auth.authenticateStreamToken(raw: "stok_short", streamID: one.record.id) == nil)

            let minted = try await streams.mintToken(one.record.id, CreateStreamTokenRequest(), createdBy: "key_1", scope: .single)
            #expect(minted.role == "view" && minted.token.hasPrefix("stok_"))
            #expect(minted.expiresAt == clock.now().adding(seconds: 3600))
            #expect(await auth.authenticateStreamToken(raw: minted.token, streamID: one.record.id) == .view)
            let control = try await streams.mintToken(
                one.record.id, CreateStreamTokenRequest(role: "control", ttlSeconds: 60), createdBy: nil, scope: .single)
            #expect(await auth.authenticateStreamToken(raw: control.token, streamID: one.record.id) == .control)
            await Self.expectError("validation_error", field: "role") {
                _ = try await streams.mintToken(one.record.id, CreateStreamTokenRequest(role: "publish"), createdBy: nil, scope: .single)
            }
            await Self.expectError("validation_error", field: "role") {
                _ = try await streams.mintToken(two.record.id, CreateStreamTokenRequest(role: "control"), createdBy: nil, scope: .single)
            }
            await Self.expectError("validation_error", field: "role") {
                _ = try await streams.mintToken(one.record.id, CreateStreamTokenRequest(role: "admin"), createdBy: nil, scope: .single)
            }
            await Self.expectError("validation_error", field: "ttl_seconds") {
                _ = try await streams.mintToken(one.record.id, CreateStreamTokenRequest(ttlSeconds: 86_401), createdBy: nil, scope: .single)
            }

            // Expiry: the 60 s token dies first, the rest still work.
            clock.advance(seconds: 61)
            #expect(await auth.authenticateStreamToken(raw: control.token, streamID: one.record.id) == nil)
            #expect(await auth.authenticateStreamToken(raw: minted.token, streamID: one.record.id) == .view)

            // A stream TTL caps token lifetimes.
            var short = CreateStreamRequest(type: "testsrc")
            short.ttlSeconds = 120
            let brief = try await streams.create(short, sessionID: sid, createdBy: nil, scope: .single)
            let capped = try await streams.mintToken(brief.record.id, CreateStreamTokenRequest(ttlSeconds: 3600), createdBy: nil, scope: .single)
            #expect(capped.expiresAt == brief.record.expiresAt)

            // Stopping the stream revokes its tokens; stopped streams take no new ones.
            try await streams.stop(one.record.id, scope: .single)
            #expect(await auth.authenticateStreamToken(raw: viewer, streamID: one.record.id) == nil)
            #expect(await auth.authenticateStreamToken(raw: minted.token, streamID: one.record.id) == nil)
            await Self.expectError("invalid_state") {
                _ = try await streams.mintToken(one.record.id, CreateStreamTokenRequest(), createdBy: nil, scope: .single)
            }
            let stored = try await store.database.read(.system) {
                try await $0.query("SELECT token_hash, token_prefix FROM stream_tokens", [])
            }
            #expect(stored.allSatisfy { $0.string("token_hash")?.count == 64 && $0.string("token_prefix")?.count == 13 })
            #expect(!stored.contains { $0.string("token_hash") == viewer })
        }
    }

    @Test(arguments: Engine.allCases)
    func leavingActiveStopsTheSessionsStreams(_ engine: Engine) async throws {
        try await TestDatabases.with(engine) { store in
            let streams = Self.service(store)
            let sessions = SessionService(store: store)
            let auth = StreamTokenAuthenticator(store: store, logger: TestDatabases.logger)
            let suspended = try await Self.session(store, active: true)
            let s1 = try await streams.create(CreateStreamRequest(), sessionID: suspended.id, createdBy: nil, scope: .single)
            let failed = try await streams.create(CreateStreamRequest(), sessionID: suspended.id, createdBy: nil, scope: .single).record.id
            _ = try await streams.markFailed(failed, code: "display_unavailable", message: "gone")
            let bystander = try await Self.session(store, active: true)
            let untouched = try await streams.create(CreateStreamRequest(), sessionID: bystander.id, createdBy: nil, scope: .single).record.id

            _ = try await sessions.suspend(suspended.id, scope: .single)
            let after = try await streams.get(s1.record.id, scope: .single).record
            #expect(after.state == "stopped" && after.stoppedAt != nil)
            #expect(try await streams.get(failed, scope: .single).record.state == "failed")
            #expect(try await streams.get(untouched, scope: .single).record.state == "pending")
            #expect(await auth.authenticateStreamToken(raw: try #require(s1.viewerToken), streamID: s1.record.id) == nil)

            let pending = try await Self.session(store)
            let p1 = try await streams.create(CreateStreamRequest(type: "webrtc"), sessionID: pending.id, createdBy: nil, scope: .single).record.id
            _ = try await sessions.terminate(pending.id, scope: .single)
            #expect(try await streams.get(p1, scope: .single).record.state == "stopped")

            // A runner that drops suspends its active sessions, which stops their streams too.
            let runner = ID.make(.runner)
            try await store.database.transaction(.system) { db in
                try await db.execute("INSERT INTO runners (id, name, hostname, status) VALUES (?, 'r', 'h', 'busy')", [.text(runner)])
                try await db.execute("UPDATE sessions SET runner_id = ? WHERE id = ?", [.text(runner), .text(bystander.id)])
            }
            _ = try await store.runnerDisconnected(runner)
            #expect(try await streams.get(untouched, scope: .single).record.state == "stopped")
        }
    }

    @Test(arguments: Engine.allCases)
    func tenantsSeeOnlyTheirOwnStreams(_ engine: Engine) async throws {
        try await TestDatabases.with(engine, multiTenant: true) { store in
            let streams = Self.service(store)
            let a = TenantScope.tenant("tenant-a")
            let b = TenantScope.tenant("tenant-b")
            let sessionA = try await Self.session(store, scope: a)
            let streamA = try await streams.create(CreateStreamRequest(), sessionID: sessionA.id, createdBy: nil, scope: a)
            #expect(streamA.record.tenantID == "tenant-a")
            await Self.expectError("not_found") {
                _ = try await streams.create(CreateStreamRequest(), sessionID: sessionA.id, createdBy: nil, scope: b)
            }
            await Self.expectError("not_found") { _ = try await streams.get(streamA.record.id, scope: b) }
            await Self.expectError("not_found") { try await streams.stop(streamA.record.id, scope: b) }
            await Self.expectError("not_found") {
                _ = try await streams.mintToken(streamA.record.id, CreateStreamTokenRequest(), createdBy: nil, scope: b)
            }
            await Self.expectError("not_found") {
                _ = try await streams.list(sessionID: sessionA.id, StreamFilter(), page: PageRequest(), scope: b)
            }
            #expect(try await store.streams(sessionID: sessionA.id, StreamFilter(), page: PageRequest(), scope: b).totalCount == 0)
            #expect(try await streams.list(sessionID: sessionA.id, StreamFilter(), page: PageRequest(), scope: a).totalCount == 1)
            let minted = try await streams.mintToken(streamA.record.id, CreateStreamTokenRequest(), createdBy: nil, scope: a)
            let tenants = try await store.database.read(.system) {
                try await $0.query("SELECT DISTINCT tenant_id FROM stream_tokens", []).compactMap { $0.string("tenant_id") }
            }
            #expect(tenants == ["tenant-a"])
            #expect(minted.role == "view")
            if engine == .postgres {
                // Row-level security alone hides the rows from another tenant.
                let seen = try await store.database.read(b) {
                    try await $0.first("SELECT (SELECT COUNT(*) FROM streams) + (SELECT COUNT(*) FROM stream_tokens) AS n")?.int("n")
                }
                #expect(seen == 0)
            }
        }
    }
}

/// A clock tests move forward by hand.
final class AdjustableClock: WallClock, Sendable {
    private let offset = Atomic<Int64>(0)
    func now() -> Timestamp { Timestamp(milliseconds: 1_750_000_000_000 + offset.load(ordering: .relaxed)) }
    func advance(seconds: Int64) { offset.wrappingAdd(seconds * 1000, ordering: .relaxed) }
}
