import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Delivers events to webhooks (api.md §14.2). Every committed event that an active webhook's
/// patterns match is written to `webhook_events` at once (the dispatcher's subscription never
/// drops); workers claim due deliveries in batches, POST them signed, and record the outcome:
/// delivered, retried with backoff, failed for good, or exhausted. The host is resolved and
/// checked against the SSRF guard at each attempt, and the request goes to that checked address.
public struct WebhookDispatcher: Service {
    let store: Store
    let settings: ServerConfig.Webhooks
    let logger: Logger
    let secrets: WebhookSecrets
    /// A lease longer than any attempt: a crashed worker's claim lapses after it.
    static let leaseSeconds: Int64 = 330
    static let pollInterval: Duration = .seconds(1)

    public init(store: Store, settings: ServerConfig.Webhooks, dataKeys: DataKeys?, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.secrets = WebhookSecrets(keys: dataKeys)
    }

    public func run() async throws {
        let events = store.events.subscribe(.init(scope: .system), unbounded: true)
        let (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await enqueue(events, ring: ring) }
                // Retries come due with time: the bell also rings once per poll interval.
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: Self.pollInterval)
                        ring.yield()
                    }
                }
                group.addTask { await deliverLoop(doorbell) }
                await group.waitForAll()
            }
        }
    }

    private func enqueue(_ events: AsyncStream<EventBus.Delivery>, ring: AsyncStream<Void>.Continuation) async {
        for await delivery in events {
            guard case .event(let event) = delivery else { continue }
            do {
                if try await store.enqueueWebhookEvents(event, maxPayloadBytes: settings.maxPayloadBytes) > 0 { ring.yield() }
            } catch {
                logger.error("webhook event not queued", metadata: ["event": "\(event.type)", "error": "\(error)"])
            }
        }
    }

    /// At each ring: claim and send due deliveries until none is left.
    private func deliverLoop(_ doorbell: AsyncStream<Void>) async {
        for await _ in doorbell {
            while !Task.isCancelled {
                let batch: [WebhookDelivery]
                do {
                    batch = try await store.claimDueWebhookEvents(limit: settings.batchSize, leaseSeconds: Self.leaseSeconds)
                } catch {
                    logger.error("webhook deliveries not claimed", metadata: ["error": "\(error)"])
                    break
                }
                if batch.isEmpty { break }
                await withTaskGroup(of: Void.self) { group in
                    var running = 0
                    for delivery in batch {
                        if running >= settings.workers {
                            await group.next()
                            running -= 1
                        }
                        group.addTask { await attempt(delivery) }
                        running += 1
                    }
                    await group.waitForAll()
                }
            }
        }
    }

    private func attempt(_ delivery: WebhookDelivery) async {
        let attempts = delivery.attempts + 1
        let result: SendResult
        do {
            let secret = try await secrets.open(delivery.secret, webhookID: delivery.webhookID)
            result = await Self.send(delivery, secret: secret, allowPrivate: settings.allowPrivate)
        } catch {
            // Retried like a network error: a server restarted with the right key can still send it.
            logger.error("webhook secret not opened", metadata: ["webhook_id": "\(delivery.webhookID)", "error": "\(error)"])
            result = .networkError("cannot open the webhook's signing secret; see the server log")
        }
        let outcome: WebhookRetryPolicy.Outcome
        var statusCode: Int?
        var error: String?
        switch result {
        case .response(let code):
            statusCode = code
            outcome = delivery.policy.outcome(statusCode: code, attempts: attempts)
            if outcome != .delivered { error = "HTTP \(code)" }
        case .networkError(let message):
            error = message
            outcome = delivery.policy.outcome(statusCode: nil, attempts: attempts)
        case .refused(let message):
            error = message
            outcome = .failed
        }
        do {
            try await store.recordWebhookAttempt(delivery.eventID, outcome: outcome, statusCode: statusCode, error: error)
        } catch {
            logger.error("webhook attempt not recorded", metadata: ["event_id": "\(delivery.eventID)", "error": "\(error)"])
        }
        if outcome != .delivered {
            logger.info(
                "webhook delivery not done",
                metadata: ["event_id": "\(delivery.eventID)", "webhook_id": "\(delivery.webhookID)", "outcome": "\(outcome)",
                           "error": "\(error ?? "")"])
        }
    }

    enum SendResult: Equatable {
        case response(Int)
        case networkError(String)
        case refused(String)
    }

    /// One POST: resolve, check every address, connect to the first (pinned through the client's
    /// DNS override, so TLS still verifies the name), no redirects, the body read up to 1 MiB.
    static func send(_ delivery: WebhookDelivery, secret: String, allowPrivate: Bool) async -> SendResult {
        guard let url = URL(string: delivery.url), let host = url.host else { return .refused("the URL is not valid") }
        let addresses: [String]
        do { addresses = try await HostResolver.addresses(of: host) } catch { return .networkError("could not resolve \(host)") }
        guard let pinned = addresses.first else { return .networkError("\(host) does not resolve") }
        for address in addresses {
            if let refusal = WebhookAddressPolicy.refusal(address, allowPrivate: allowPrivate) { return .refused(refusal) }
        }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(Int64(delivery.timeoutSeconds)), read: .seconds(Int64(delivery.timeoutSeconds))))
        configuration.dnsOverride = [host: pinned]
        let client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        let timestamp = Int64(Date().timeIntervalSince1970)
        let body = Array(delivery.payload.utf8)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        for (name, value) in delivery.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "User-Agent", value: "Marionette-Webhook/1.0")
        request.headers.replaceOrAdd(name: "X-Webhook-ID", value: delivery.eventID)
        request.headers.replaceOrAdd(name: "X-Webhook-Timestamp", value: String(timestamp))
        request.headers.replaceOrAdd(
            name: "X-Webhook-Signature", value: WebhookSignature.header(secret: secret, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(delivery.timeoutSeconds)))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return .response(Int(response.status.code))
        } catch {
            return .networkError(String(describing: error).prefix(300).description)
        }
    }
}
