import Fabric

/// The server's end of one runner's control stream. Commands are queued (bounded) and written by
/// the stream's single sender loop; `send` never waits.
public protocol RunnerLink: AnyObject, Sendable {
    /// Queues a command; false when the link is closed or its queue is full.
    func send(_ command: Marionette_Runner_V1_ServerCommand) -> Bool
    /// Ends the control stream (the runner will reconnect).
    func close()
}
