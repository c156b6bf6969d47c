import Core
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Gateway

/// The request timeout (api.md §1.7, §13.1): a route handler past the limit is cancelled and answered 503
/// `service_unavailable`; follow streams, SSE and WHEP/WHIP are exempt.
@Suite struct RequestTimeoutTests {
    @Test func exemptionsAreFollowStreamsEventsAndSignalling() {
        #expect(RequestTimeoutPolicy.isExempt(path: "/api/v1/tasks/task_1/logs", query: "follow=true"))
        #expect(RequestTimeoutPolicy.isExempt(path: "/api/v1/tasks/task_1/logs", query: "limit=5&follow=1"))
        #expect(!RequestTimeoutPolicy.isExempt(path: "/api/v1/tasks/task_1/logs", query: "follow=false"))
        #expect(!RequestTimeoutPolicy.isExempt(path: "/api/v1/tasks/task_1/logs", query: "unfollow=true"))
        #expect(RequestTimeoutPolicy.isExempt(path: "/api/v1/events", query: nil))
        #expect(RequestTimeoutPolicy.isExempt(path: "/api/v1/streams/strm_1/whep", query: nil))
        #expect(RequestTimeoutPolicy.isExempt(path: "/api/v1/streams/strm_1/whip/view_2", query: nil))
        #expect(!RequestTimeoutPolicy.isExempt(path: "/api/v1/streams/strm_1/tokens", query: nil))
        #expect(!RequestTimeoutPolicy.isExempt(path: "/api/v1/sessions", query: "limit=5"))
        #expect(RequestTimeoutPolicy.limit(forRoute: "/admin/api/v1/keys") == .seconds(30))
        #expect(RequestTimeoutPolicy.limit(forRoute: "/api/v1/sessions") == .seconds(60))
    }

    @Test func aSlowHandlerIsCancelledAndAnswered503() async throws {
        let router = Router(context: APIContext.self)
        router.add(middleware: ErrorMiddleware(logger: Logger(label: "test")))
        let cancelled = CancelledFlag()
        func limited(_ path: String, _ handler: @escaping RequestTimeout.Handler<APIContext>) {
            router.get(RouterPath(path), use: RequestTimeout.bounded(handler, limit: .milliseconds(300)))
        }
        limited("slow") { _, _ in
            do { try await Task.sleep(for: .seconds(30)) } catch {
                cancelled.set()
                throw error
            }
            return Response(status: .ok)
        }
        limited("stubborn") { _, _ in
            // Not a cancellation point: it finishes after the deadline, and its answer is kept.
            await withCheckedContinuation { done in DispatchQueue.global().asyncAfter(deadline: .now() + 0.6) { done.resume() } }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "done anyway")))
        }
        limited("fast") { _, _ in Response(status: .ok) }
        limited("events") { _, _ in
            try await Task.sleep(for: .milliseconds(600))
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "exempt")))
        }
        try await Application(router: router).test(.router) { client in
            let started = ContinuousClock.now
            let slow = try await client.execute(uri: "/slow", method: .get)
            #expect(slow.status == .serviceUnavailable)
            #expect(String(buffer: slow.body).contains(#""code":"service_unavailable""#))
            // Well under the handler's 30 s: the 300 ms limit fired. (A full parallel run on 2 cores
            // starves the cooperative pool: 10.8 s was seen, so the bound is not tighter.)
            #expect(ContinuousClock.now - started < .seconds(25))
            #expect(cancelled.value, "the handler was cancelled, not left running")
            let stubborn = try await client.execute(uri: "/stubborn", method: .get)
            #expect(stubborn.status == .ok && String(buffer: stubborn.body) == "done anyway")
            #expect(try await client.execute(uri: "/fast", method: .get).status == .ok)
            let exempt = try await client.execute(uri: "/events", method: .get)
            #expect(exempt.status == .ok && String(buffer: exempt.body) == "exempt")
        }
    }
}

private final class CancelledFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}
