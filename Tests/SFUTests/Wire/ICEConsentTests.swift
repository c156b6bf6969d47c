import Testing
@testable import SFU

@Suite("ICE consent and credentials")
struct ICEConsentTests {
    static let second: UInt64 = 1_000_000_000

    @Test func defaultTimeoutIsThirtySeconds() {
        let consent = ICEConsent()
        #expect(consent.timeoutNanoseconds == 30 * Self.second)
        #expect(consent.state(lastValidCheck: 100, now: 100) == .alive)
        #expect(consent.state(lastValidCheck: 100, now: 100 + 30 * Self.second - 1) == .alive)
        #expect(consent.state(lastValidCheck: 100, now: 100 + 30 * Self.second) == .expired)
        #expect(consent.state(lastValidCheck: nil, now: 0) == .expired)
        // A clock that appears to go backwards is not taken as expiry.
        #expect(consent.state(lastValidCheck: 50 * Self.second, now: 0) == .alive)
    }

    @Test func customTimeouts() {
        #expect(ICEConsent(timeout: .milliseconds(1500)).timeoutNanoseconds == 1_500_000_000)
        #expect(ICEConsent(timeout: .seconds(-5)).timeoutNanoseconds == 0)
        #expect(ICEConsent(timeout: .seconds(Int64.max)).timeoutNanoseconds == .max)
        let short = ICEConsent(timeoutNanoseconds: 10)
        #expect(short.state(lastValidCheck: 0, now: 9) == .alive)
        #expect(short.state(lastValidCheck: 0, now: 10) == .expired)
    }

    @Test func randomCredentialsUseIceCharactersAndLengths() {
        let allowed = Set(ICECredentials.iceCharacters)
        #expect(allowed.count == 64)
        var seen = Set<String>()
        for _ in 0..<200 {
            let credentials = ICECredentials.random()
            #expect(credentials.ufrag.utf8.count == 8)
            #expect(credentials.password.utf8.count == 24)
            #expect(credentials.ufrag.utf8.allSatisfy(allowed.contains))
            #expect(credentials.password.utf8.allSatisfy(allowed.contains))
            seen.insert(credentials.ufrag)
        }
        #expect(seen.count == 200)
    }

    @Test func seededCredentialsAreReproducible() {
        var first = SeededGenerator(seed: 42)
        var second = SeededGenerator(seed: 42)
        #expect(ICECredentials.random(using: &first) == ICECredentials.random(using: &second))
    }
}
