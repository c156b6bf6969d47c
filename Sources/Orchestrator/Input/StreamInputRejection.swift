/// Why the hub refused a viewer's input; the WebSocket turns it into an `error` frame and keeps
/// the connection.
public enum StreamInputRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The viewer's credential only allows watching.
    case viewOnly
    /// Another viewer holds control.
    case notController(holder: String)
    /// No runner is sending this stream right now (starting, reconnecting or stopped).
    case runnerUnavailable
    /// The runner's queue is full; the event was dropped.
    case runnerBusy

    public var code: String {
        switch self {
        case .viewOnly: "forbidden"
        case .notController: "not_controller"
        case .runnerUnavailable: "runner_unavailable"
        case .runnerBusy: "runner_busy"
        }
    }

    public var description: String {
        switch self {
        case .viewOnly: "this connection is view-only: input needs a streams:write key or a control token"
        case .notController(let holder): "viewer \(holder) has control; send {\"type\":\"control\",\"action\":\"request\"} after it releases"
        case .runnerUnavailable: "the stream's runner is not connected; input resumes when it is"
        case .runnerBusy: "the runner is not keeping up with input; the event was dropped"
        }
    }
}
