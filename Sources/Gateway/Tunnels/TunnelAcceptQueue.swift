/// Runs the work of accepted TCP tunnel connections one after another, in the order they were
/// accepted, so the runner dials the origin in that order too. Some protocols rely on it: iperf3
/// gives a `--bidir` test's two data connections their roles by accept order, and swapped they wait
/// on each other forever. One task drains the queue; the work per connection is a few store reads
/// and queuing one command, so the queue is no bottleneck.
final class TunnelAcceptQueue: Sendable {
    typealias Job = @Sendable () async -> Void
    private let continuation: AsyncStream<Job>.Continuation

    init() {
        let (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
        self.continuation = continuation
        Task {
            for await job in jobs { await job() }
        }
    }

    func submit(_ job: @escaping Job) {
        continuation.yield(job)
    }

    deinit { continuation.finish() }
}
