import Core

/// What a delivery attempt's result makes of a webhook event (api.md §14.2): 2xx delivered; 5xx,
/// 408, 429 and network errors retried after `retry_delay × 2^attempt` (capped at 24 h) until
/// `max_retries` attempts are spent (then `exhausted`); any other status `failed` for good.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var maxRetries: Int
    public var retryDelaySeconds: Int

    public static let maximumDelaySeconds: Int64 = 86_400

    public enum Outcome: Sendable, Equatable {
        case delivered
        case retry(afterSeconds: Int64)
        case failed
        case exhausted
    }

    public init(maxRetries: Int, retryDelaySeconds: Int) {
        self.maxRetries = maxRetries
        self.retryDelaySeconds = retryDelaySeconds
    }

    /// `attempts` counts this attempt; `statusCode` is nil for a network error or timeout.
    public func outcome(statusCode: Int?, attempts: Int) -> Outcome {
        if let statusCode, (200..<300).contains(statusCode) { return .delivered }
        let retryable = statusCode.map { $0 >= 500 || $0 == 408 || $0 == 429 } ?? true
        guard retryable else { return .failed }
        // max_retries retries after the first attempt.
        guard attempts <= maxRetries else { return .exhausted }
        let exponent = min(attempts - 1, 30)
        let delay = Int64(max(retryDelaySeconds, 1)) << Int64(max(exponent, 0))
        return .retry(afterSeconds: min(delay, Self.maximumDelaySeconds))
    }
}
