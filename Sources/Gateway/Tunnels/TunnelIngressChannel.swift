import HummingbirdCore
import Logging
import NIOCore

/// Wraps the public listener's Hummingbird child channel: it puts ``TunnelIngressHandler`` in
/// front of the connection, so tunnel requests are taken over before Hummingbird sees them.
/// Hummingbird's own pipeline (HTTP codec, upgrade negotiation) is set up only once the first
/// request turned out to be for the API: a tunnel connection never pays for it, and its task
/// ends as soon as the tunnel takes it (the connection lives on in its handlers; a task parked
/// until its close cost two more thread wake-ups per connection).
struct TunnelIngressChannel<Base: ServerChildChannel>: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let verdict: TunnelIngressVerdict
        let ingress: NIOLoopBound<TunnelIngressHandler>
    }

    let base: Base
    let ingress: TunnelIngress

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let verdict = TunnelIngressVerdict()
            let handler = TunnelIngressHandler(ingress: ingress, verdict: verdict)
            try channel.pipeline.syncOperations.addHandler(handler)
            return Value(channel: channel, verdict: verdict, ingress: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard await value.verdict.servesAPI() else { return }
        let channel = value.channel
        let base = self.base
        let handler = value.ingress
        let installed = channel.eventLoop.flatSubmit {
            base.setup(channel: channel, logger: logger).map { baseValue in
                // Same loop tick: the bytes the ingress read reach the handlers just added.
                handler.value.apiPipelineInstalled()
                return baseValue
            }
        }
        guard let baseValue = try? await installed.get() else {
            // Closed meanwhile (adding handlers to a closed pipeline fails): nothing to serve.
            channel.close(promise: nil)
            return
        }
        await base.handle(value: baseValue, logger: logger)
    }
}
