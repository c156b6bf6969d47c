import Testing

@testable import Gateway

/// The idle timeout of the tunnel connect WebSocket.
@Suite struct TunnelWebSocketIdleWatchTests {
    @Test func expiresOnlyAfterAPeriodWithoutBytes() async throws {
        let watch = TunnelWebSocketIdleWatch()
        let start = ContinuousClock.now
        let busy = Task {
            for _ in 0..<6 {
                watch.touch()
                try await Task.sleep(for: .milliseconds(25))
            }
        }
        try await watch.expired(after: .milliseconds(60))
        try await busy.value
        // Busy for 150 ms, then one or two quiet periods of 60 ms.
        #expect(ContinuousClock.now - start >= .milliseconds(180))
    }
}
