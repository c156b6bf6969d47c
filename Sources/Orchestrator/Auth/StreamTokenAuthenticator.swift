import Core
import Logging

/// Roles a `stok_` token grants on its own stream (api.md §10.6).
public enum StreamTokenRole: String, Sendable, CaseIterable {
    /// WHEP viewing.
    case view
    /// WHEP viewing plus input.
    case control
    /// WHIP publishing (`webrtc` streams).
    case publish
}

/// Verifies `stok_` tokens for the WHEP/WHIP and input routes: format → hash lookup → same
/// stream → revoked → expired → stream still live. Any failure is nil, so a caller cannot tell a
/// wrong stream from an unknown token.
public struct StreamTokenAuthenticator: Sendable {
    let store: Store
    let logger: Logger

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func authenticateStreamToken(raw: String, streamID: String) async -> StreamTokenRole? {
        guard (try? Tokens.checkFormat(raw, expected: .stream)) != nil else { return nil }
        let hash = Tokens.hash(raw)
        let found: StoredStreamToken?
        do {
            found = try await store.storedStreamToken(hash: hash)
        } catch {
            logger.error("stream token lookup failed", metadata: ["stream_id": "\(streamID)", "error": "\(error)"])
            return nil
        }
        let now = store.clock.now()
        guard let token = found, Tokens.constantTimeEquals(token.hash, hash), token.streamID == streamID,
            token.revokedAt == nil, token.expiresAt > now,
            let state = StreamStateMachine.State(rawValue: token.streamState), !state.isFinal
        else { return nil }
        // Viewers join rarely, so recording the use inline costs one small write per join.
        do { try await store.touchStreamToken(token.id, at: now) } catch {
            logger.warning("could not update stream token last_used_at", metadata: ["stream_id": "\(streamID)"])
        }
        return StreamTokenRole(rawValue: token.role)
    }
}
