import Core
import Fabric
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Orchestrator

/// `GET /api/v1/streams/{streamID}/input` (api.md §10.4): the viewer page's control channel.
/// Input-capable credentials (a `streams:write` key or a `control` stream token, on a stream
/// created with `input: true`) may send input; `streams:read` keys and `view` tokens, or
/// `?view_only=1`, only receive cursor, clipboard, control and state messages.
enum StreamInputRoutes {
    struct Grant: Sendable {
        let stream: StreamRecord
        let canControl: Bool
    }

    static func register(_ router: Router<WebSocketAPIContext>, _ s: GatewayServices) {
        router.ws("api/v1/streams/{streamID}/input") { request, context in
            do {
                _ = try await authorize(request, context, s)
                return .upgrade([:])
            } catch {
                return .dontUpgrade
            }
        } onUpgrade: { inbound, outbound, context in
            guard let grant = try? await authorize(context.request, context.requestContext, s) else { return }
            try await serve(grant, inbound: inbound, outbound: outbound, s)
        }
    }

    static func serve(
        _ grant: Grant, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, _ s: GatewayServices
    ) async throws {
        let streamID = grant.stream.id
        let viewerID = ID.make(.viewer)
        let hub = s.streamInput
        let (notices, controller) = await hub.join(streamID: streamID, viewerID: viewerID, canControl: grant.canControl)
        // One writer task owns the socket's outbound side; everything else queues text for it.
        let (outgoing, queue) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(512))
        queue.yield(
            StreamInputJSON.hello(
                streamID: streamID, streamType: grant.stream.type, viewerID: viewerID, width: grant.stream.width, height: grant.stream.height,
                input: grant.canControl, controller: controller, state: grant.stream.state))
        defer { queue.finish() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outgoing {
                    do { try await outbound.write(.text(text)) } catch { return }
                }
            }
            group.addTask {
                for await notice in notices { queue.yield(StreamInputJSON.notice(notice)) }
            }
            let parser = StreamInputMessageParser(android: grant.stream.type == "android")
            do {
                for try await message in inbound.messages(maxSize: StreamInputJSON.maxMessageBytes) {
                    guard case .text(let text) = message else {
                        queue.yield(StreamInputJSON.error(code: "invalid_message", message: "send JSON text frames"))
                        continue
                    }
                    if let reply = await handle(text, parser: parser, streamID: streamID, viewerID: viewerID, hub: hub) {
                        queue.yield(reply)
                    }
                }
            } catch {
                // An oversized frame or a broken connection ends this viewer; others go on.
                s.logger.debug("input websocket ended", metadata: ["stream_id": "\(streamID)", "error": "\(error)"])
            }
            await hub.leave(streamID: streamID, viewerID: viewerID)
            queue.finish()
            group.cancelAll()
        }
    }

    /// One client frame: nil when there is nothing to answer.
    static func handle(
        _ text: String, parser: StreamInputMessageParser, streamID: String, viewerID: String, hub: StreamInputHub
    ) async -> String? {
        let command: StreamInputCommand
        do {
            command = try parser.parse(text, viewerID: viewerID, nowUnixMs: Int64(Date().timeIntervalSince1970 * 1000))
        } catch {
            return StreamInputJSON.error(code: error.code, message: error.message)
        }
        switch command {
        case .ping:
            return #"{"type":"pong"}"#
        case .control(let request):
            return StreamInputJSON.notice(await hub.control(streamID: streamID, viewerID: viewerID, request: request))
        case .runner(let message):
            do {
                try await hub.send(streamID: streamID, viewerID: viewerID, message)
                return nil
            } catch {
                return StreamInputJSON.error(code: error.code, message: error.description)
            }
        }
    }

    /// A key from the header or `?token=` (streams:read to watch, streams:write to control), or a
    /// `stok_` token of this stream (`view` or `control`).
    static func authorize(_ request: Request, _ context: WebSocketAPIContext, _ s: GatewayServices) async throws -> Grant {
        let credential = try WebSocketCredential.from(request, missing: "an API key or stream token is required")
        guard let streamID = context.parameters.get("streamID"), ID.isValid(streamID, prefix: .stream) else {
            throw APIError.notFound("stream", context.parameters.get("streamID") ?? "")
        }
        let scope: TenantScope
        var mayControl: Bool
        if credential.hasPrefix("stok_") {
            guard let role = await s.streamTokens.authenticateStreamToken(raw: credential, streamID: streamID) else {
                throw APIError.unauthenticated("invalid_token", "the stream token is unknown, expired, revoked or for another stream")
            }
            guard role != .publish else { throw APIError.forbidden(scope: "view") }
            scope = .system
            mayControl = role == .control
        } else {
            let principal = try await s.authenticator.authenticate(credential)
            try principal.require("streams:read")
            scope = principal.scope(multiTenant: s.config.multiTenant)
            mayControl = Scope.grants(principal.scopes, "streams:write")
        }
        guard let stream = try await s.store.stream(streamID, scope: scope), !stream.machineState.isFinal else {
            throw APIError.notFound("stream", streamID)
        }
        if QueryParams(request).first("view_only") == "1" { mayControl = false }
        return Grant(stream: stream, canControl: mayControl && stream.input)
    }
}
