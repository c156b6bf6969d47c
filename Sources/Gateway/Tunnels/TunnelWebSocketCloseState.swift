import Fabric

/// The close rules of a `/tunnels/{id}/connect` WebSocket (api.md §9.1), with no I/O. A WebSocket
/// has no half-close, so: an empty binary frame from the client (it carries no bytes) says it will
/// send no more, its TCP half-close: the runner side is finished (END_STREAM, the origin sees a
/// FIN) and the WebSocket stays open for the answer; the client's close (or the end of its frames)
/// finishes the runner side too; the runner side finishing closes the WebSocket with 1000 once the
/// bytes before it are sent; the runner side aborting closes it with a code and the reason; a
/// broken WebSocket resets the runner side.
struct TunnelWebSocketCloseState: Sendable, Equatable {
    struct CloseFrame: Sendable, Equatable {
        var code: UInt16
        var reason: String
    }

    /// The client closed, or its connection ended.
    private(set) var clientEnded = false
    /// The client sent its empty frame: no more bytes from it (the WebSocket is still open).
    private(set) var clientDoneWriting = false
    /// The runner side finished or aborted.
    private(set) var runnerEnded = false
    /// The connection was torn down: nothing more goes to the peer.
    private(set) var aborted = false

    /// Close reasons are at most 123 bytes (RFC 6455 §5.5: 125-byte control frames, 2 for the code).
    static let maxReasonBytes = 123

    var isDone: Bool { clientEnded && runnerEnded }

    /// The client's empty binary frame: true to finish the runner side (once, and not after the
    /// close or an abort).
    mutating func clientFinishedWriting() -> Bool {
        guard !clientDoneWriting, !clientEnded, !aborted else { return false }
        clientDoneWriting = true
        return true
    }

    /// Whether the runner side should be finished as soon as it is attached.
    var runnerSideShouldFinish: Bool { clientEnded || clientDoneWriting }

    /// The client's close frame or the end of its frames: true to finish the runner side (unless
    /// its empty frame did already).
    mutating func clientClosed() -> Bool {
        guard !clientEnded else { return false }
        clientEnded = true
        if clientDoneWriting { return false }
        // Also after the runner finished: END_STREAM then ends the stream cleanly.
        return !aborted
    }

    /// The client's connection failed (no close handshake): true to reset the runner side.
    mutating func clientFailed() -> Bool {
        clientEnded = true
        return abort()
    }

    /// The runner side finished: the close frame to send after the bytes queued before it, or nil
    /// when the client is gone already.
    mutating func runnerFinished() -> CloseFrame? {
        guard !runnerEnded, !aborted else { return nil }
        runnerEnded = true
        return clientEnded ? nil : CloseFrame(code: 1000, reason: "")
    }

    /// The runner side aborted: the close frame to send, or nil when the client is gone already.
    mutating func runnerAborted(_ reason: TunnelAbort) -> CloseFrame? {
        let first = !runnerEnded
        runnerEnded = true
        // After a clean finish the 1000 is on its way already.
        guard abort(), first, !clientEnded else { return nil }
        return Self.closeFrame(for: reason)
    }

    /// The WebSocket handler returned: true to reset the runner side (both sides did not end).
    mutating func handlerEnded() -> Bool {
        guard !isDone else { return false }
        clientEnded = true
        runnerEnded = true
        return abort()
    }

    private mutating func abort() -> Bool {
        guard !aborted else { return false }
        aborted = true
        return true
    }

    /// 1011 for a failed connection (the runner could not dial, no answer, reset), 1001 for a tunnel
    /// closed or expired (410) or an idle connection (408), 1013 (try again later) when the runner
    /// is gone or the tunnel is full.
    static func closeFrame(for reason: TunnelAbort) -> CloseFrame {
        switch reason {
        case .reset:
            return CloseFrame(code: 1011, reason: "the connection to the runner was reset")
        case .tunnelEnded(let status, _, let message):
            let code: UInt16 = status == 410 || status == 408 ? 1001 : status == 503 ? 1013 : 1011
            return CloseFrame(code: code, reason: truncated(message))
        }
    }

    /// `text` cut to ``maxReasonBytes`` of UTF-8 on a character boundary.
    static func truncated(_ text: String) -> String {
        guard text.utf8.count > maxReasonBytes else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > maxReasonBytes { break }
            result.append(character)
            bytes += size
        }
        return result
    }
}
