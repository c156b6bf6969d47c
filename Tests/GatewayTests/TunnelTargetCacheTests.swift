import Core
import Foundation
import Gateway
import NIOCore
import Orchestrator
import Synchronization
import Testing

@testable import Gateway

/// The ingress's tunnel lookups: kept two seconds, and refreshed by the runtime's sweep while a
/// tunnel is in use, so a new connection to a tunnel used every few seconds is admitted on its
/// event loop instead of waiting for a database read.
@Suite struct TunnelTargetCacheTests {
    @Test func recentKeysAreTheLastMinutesMostRecentFirst() {
        var keys = RecentKeys<String>(window: .seconds(60), limit: 2)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        keys.use("old", now: start)
        keys.use("a", now: start + .seconds(30))
        keys.use("b", now: start + .seconds(40))
        #expect(keys.keys(now: start + .seconds(45)) == ["b", "a"], "cut at the limit, most recent first")
        #expect(keys.keys(now: start + .seconds(61)) == ["b", "a"])
        #expect(keys.count == 2, "a key unused for the window is dropped")
        keys.remove("b")
        keys.use("a", now: start + .seconds(100))
        #expect(keys.keys(now: start + .seconds(101)) == ["a"])
        #expect(keys.keys(now: start + .seconds(161)).isEmpty)
    }

    @Test func theSweepKeepsTunnelsInUseLookedUp() async throws {
        let h = try await GatewayHarness.make()
        let runtime = h.services.tunnelRuntime
        let created = Mutex<[String]>([])
        try await h.api { c in
            let sid = try #require(try await c.send(.post, "/api/v1/sessions", json: #"{"agent":"command"}"#).json["id"] as? String)
            for _ in 0..<2 {
                let tunnel = try await c.send(.post, "/api/v1/sessions/\(sid)/tunnels", json: #"{"local_port":3000}"#)
                let id = try #require(tunnel.json["id"] as? String, "\(tunnel.body)")
                created.withLock { $0.append(id) }
            }
        }
        let ids = created.withLock { $0 }
        try #require(ids.count == 2)
        let used = TunnelTargetCache.Key.id(ids[0])
        let idle = TunnelTargetCache.Key.id(ids[1])
        #expect(try await runtime.target(used)?.tunnel.id == ids[0])
        #expect(try await runtime.target(idle)?.tunnel.id == ids[1])
        // The idle one is used no more; the other is, and the sweep refreshes both while they are
        // recent. Past its lifetime an entry the sweep did not refresh is gone.
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(600))
            await runtime.refreshTargets()
            #expect(runtime.targets.target(used)?.tunnel.id == ids[0], "a tunnel in use stays looked up")
        }
        #expect(runtime.targets.target(idle) != nil, "looked up less than a minute ago: refreshed too")
        let unrefreshed = TunnelTargetCache(lifetime: .milliseconds(100))
        unrefreshed.keep(try #require(try await runtime.target(used)), for: used)
        try await Task.sleep(for: .milliseconds(150))
        #expect(unrefreshed.target(used) == nil, "without the sweep an entry lives its lifetime only")
        await h.close()
    }
}
