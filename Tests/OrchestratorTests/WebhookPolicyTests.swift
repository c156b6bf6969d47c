import Testing

@testable import Orchestrator

/// The pure parts of webhook delivery: the signature receivers check, the retry policy, the SSRF guard.
struct WebhookPolicyTests {
    static let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

    @Test func signatureIsHMACSHA256OfTimestampDotBody() {
        let body = Array(#"{"event":"task.created"}"#.utf8)
        // Python: hmac.new(secret.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
        let header = WebhookSignature.header(secret: Self.secret, timestamp: 1_700_000_000, body: body)
        #expect(header == "sha256=26addd996428a6189e832af9ed4c02ab4633b3ad67ba206bff9875d75a7c86a9")
        #expect(WebhookSignature.verify(header: header, secret: Self.secret, timestamp: 1_700_000_000, body: body, now: 1_700_000_100))
        // Outside ±5 min, another body, another secret: refused.
        #expect(!WebhookSignature.verify(header: header, secret: Self.secret, timestamp: 1_700_000_000, body: body, now: 1_700_000_301))
        #expect(!WebhookSignature.verify(header: header, secret: Self.secret, timestamp: 1_700_000_000, body: body + [32], now: 1_700_000_000))
        #expect(!WebhookSignature.verify(header: header, secret: String(Self.secret.reversed()), timestamp: 1_700_000_000, body: body, now: 1_700_000_000))
        let fresh = WebhookSignature.newSecret()
        #expect(fresh.count == 64 && fresh.allSatisfy(\.isHexDigit) && fresh != WebhookSignature.newSecret())
    }

    @Test func retriesServerErrorsAndTimeoutsWithDoublingDelaysThenExhausts() {
        let policy = WebhookRetryPolicy(maxRetries: 3, retryDelaySeconds: 60)
        #expect(policy.outcome(statusCode: 204, attempts: 1) == .delivered)
        #expect(policy.outcome(statusCode: 500, attempts: 1) == .retry(afterSeconds: 60))
        #expect(policy.outcome(statusCode: 429, attempts: 2) == .retry(afterSeconds: 120))
        #expect(policy.outcome(statusCode: nil, attempts: 3) == .retry(afterSeconds: 240))
        #expect(policy.outcome(statusCode: 503, attempts: 4) == .exhausted)
        #expect(policy.outcome(statusCode: 408, attempts: 1) == .retry(afterSeconds: 60))
        #expect(policy.outcome(statusCode: 404, attempts: 1) == .failed)
        #expect(policy.outcome(statusCode: 301, attempts: 1) == .failed)  // redirects are not followed
        let long = WebhookRetryPolicy(maxRetries: 20, retryDelaySeconds: 3600)
        #expect(long.outcome(statusCode: 500, attempts: 10) == .retry(afterSeconds: 86_400))
        #expect(WebhookRetryPolicy(maxRetries: 0, retryDelaySeconds: 1).outcome(statusCode: 500, attempts: 1) == .exhausted)
    }

    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "169.254.1.1", "::1",
        "fe80::1", "fc00::1", "fd12::1", "0.0.0.0", "::ffff:127.0.0.1",
    ])
    func privateAddressesAreRefusedUnlessAllowed(_ address: String) {
        #expect(WebhookAddressPolicy.refusal(address, allowPrivate: false) != nil)
        #expect(WebhookAddressPolicy.refusal(address, allowPrivate: true) == nil)
    }

    @Test(arguments: ["8.8.8.8", "172.32.0.1", "192.169.0.1", "2001:4860:4860::8888", "1.1.1.1"])
    func publicAddressesPass(_ address: String) {
        #expect(WebhookAddressPolicy.refusal(address, allowPrivate: false) == nil)
    }

    /// At delivery time too: a stored URL whose host is private now is refused, never sent.
    @Test func aDeliveryToAPrivateAddressIsRefusedWithoutBeingSent() async {
        let delivery = WebhookDelivery(
            eventID: "whev_x", webhookID: "whk_x", url: "http://127.0.0.1:9/x", secret: .legacy("s"), headers: [:], timeoutSeconds: 2,
            policy: WebhookRetryPolicy(maxRetries: 3, retryDelaySeconds: 1), payload: "{}", attempts: 0)
        let result = await WebhookDispatcher.send(delivery, secret: "s", allowPrivate: false)
        guard case .refused = result else {
            Issue.record("a loopback delivery was attempted: \(result)")
            return
        }
    }
}
