import Testing

@testable import Orchestrator

/// One controller per stream (api.md §10.4), with the 30 s idle takeover.
@Suite struct InputArbitrationTests {
    @Test func firstRequesterGetsControlOthersAreDenied() {
        var a = InputArbitration(idleTakeoverNanoseconds: 1000)
        #expect(a.request("vwr_a", now: 0) == .granted(revoked: nil))
        #expect(a.request("vwr_b", now: 10) == .denied(holder: "vwr_a"))
        #expect(a.request("vwr_a", now: 20) == .granted(revoked: nil))
        #expect(a.holder == "vwr_a")
    }

    @Test func inputOnlyCountsFromTheHolderAndKeepsItAlive() {
        var a = InputArbitration(idleTakeoverNanoseconds: 1000)
        _ = a.request("vwr_a", now: 0)
        do { let r = a.input(from: "vwr_a", now: 900); #expect(r) }
        do { let r = a.input(from: "vwr_b", now: 950); #expect(!r) }
        // 1000 after the request but only 150 after the last input: still denied.
        #expect(a.request("vwr_b", now: 1050) == .denied(holder: "vwr_a"))
    }

    @Test func anIdleHolderIsTakenOver() {
        var a = InputArbitration(idleTakeoverNanoseconds: 1000)
        _ = a.request("vwr_a", now: 0)
        #expect(a.request("vwr_b", now: 1000) == .granted(revoked: "vwr_a"))
        #expect(a.holder == "vwr_b")
        do { let r = a.input(from: "vwr_a", now: 1001); #expect(!r) }
    }

    @Test func releaseFreesControlOnlyForTheHolder() {
        var a = InputArbitration()
        _ = a.request("vwr_a", now: 0)
        do { let r = a.release("vwr_b"); #expect(!r) }
        #expect(a.holder == "vwr_a")
        do { let r = a.release("vwr_a"); #expect(r) }
        #expect(a.holder == nil)
        #expect(a.request("vwr_b", now: 1) == .granted(revoked: nil))
    }
}
