import HummingbirdCore
import Logging
import NIOCore

/// Wraps the public listener's Hummingbird child channel: it puts ``TunnelIngressHandler`` in
/// front of the HTTP pipeline, so tunnel requests are taken over before Hummingbird parses them
/// and API requests pass through untouched. Hummingbird's connection handling starts only once the
/// first request went to the API; a connection taken by a tunnel just waits for its close (else
/// Hummingbird would log the never-finished HTTP upgrade negotiation as an error).
struct TunnelIngressChannel<Base: ServerChildChannel>: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let base: Base.Value
        /// true: the connection belongs to the API; false: a tunnel took it.
        let servesAPI: EventLoopFuture<Bool>
        var channel: any Channel { base.channel }
    }

    let base: Base
    let ingress: TunnelIngress

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let decision = channel.eventLoop.makePromise(of: Bool.self)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(TunnelIngressHandler(ingress: ingress, decision: decision))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.map { value in
            Value(base: value, servesAPI: decision.futureResult)
        }
    }

    func handle(value: Value, logger: Logger) async {
        if (try? await value.servesAPI.get()) == false {
            try? await value.channel.closeFuture.get()
            return
        }
        await base.handle(value: value.base, logger: logger)
    }
}
