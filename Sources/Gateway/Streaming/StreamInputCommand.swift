import Fabric

/// One parsed message of the input WebSocket (api.md §10.4, client → server).
enum StreamInputCommand: Sendable, Equatable {
    /// An input event or a clipboard set, ready for the runner's `Media` call.
    case runner(Marionette_Runner_V1_MediaDown)
    /// `control`: request (true) or release (false) input arbitration.
    case control(request: Bool)
    case ping
}

/// Why a message was refused: sent back as `{"type":"error","code","message"}`; the connection stays.
struct StreamInputMessageError: Error, Sendable, Equatable {
    let code: String
    let message: String

    static func invalid(_ message: String) -> Self { Self(code: "invalid_message", message: message) }
}
