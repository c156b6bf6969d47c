import NIOConcurrencyHelpers
import NIOCore

/// A runner's data connection came up or went down.
public enum FabricDataRunnerEvent: Sendable, Hashable {
    /// The runner's first authenticated data connection is up.
    case connected(runnerID: String)
    /// The runner's last data connection closed.
    case disconnected(runnerID: String)
}

/// Which runners have a data connection to this server, and the HTTP/2 connection channel of each.
///
/// A connection is bound to a runner by its first authenticated stream (the agent's health probe) and stays
/// bound until it closes. A runner may briefly have two connections (a reconnect overlapping the old one's
/// close); ``connection(for:)`` returns the newest and `disconnected` fires when the last one closes.
public final class FabricDataRunnerRegistry: Sendable {
    private struct Entry {
        var id: ObjectIdentifier
        var channel: any Channel
    }

    private let connections = NIOLockedValueBox<[String: [Entry]]>([:])
    private let broadcaster = FabricBroadcaster<FabricDataRunnerEvent>()

    public init() {}

    /// Whether `runnerID` has at least one open, authenticated data connection.
    public func isConnected(runnerID: String) -> Bool {
        self.connections.withLockedValue { $0[runnerID]?.isEmpty == false }
    }

    /// The newest HTTP/2 connection channel of `runnerID`, if any.
    public func connection(for runnerID: String) -> (any Channel)? {
        self.connections.withLockedValue { $0[runnerID]?.last?.channel }
    }

    /// IDs of runners with an open data connection, sorted.
    public var connectedRunnerIDs: [String] {
        self.connections.withLockedValue { Array($0.keys) }.sorted()
    }

    /// Connect and disconnect events from now on (one stream per call).
    public func events() -> AsyncStream<FabricDataRunnerEvent> {
        self.broadcaster.subscribe()
    }

    /// Binds `channel` to `runnerID` and removes it again when the channel closes.
    func register(runnerID: String, channel: any Channel) {
        let id = ObjectIdentifier(channel)
        self.connections.withLockedValue { connections in
            var entries = connections[runnerID, default: []]
            guard !entries.contains(where: { $0.id == id }) else { return }
            entries.append(Entry(id: id, channel: channel))
            connections[runnerID] = entries
            if entries.count == 1 {
                self.broadcaster.yield(.connected(runnerID: runnerID))
            }
        }
        channel.closeFuture.whenComplete { _ in
            self.unregister(runnerID: runnerID, id: id)
        }
    }

    private func unregister(runnerID: String, id: ObjectIdentifier) {
        self.connections.withLockedValue { connections in
            guard var entries = connections[runnerID], let index = entries.firstIndex(where: { $0.id == id }) else {
                return
            }
            entries.remove(at: index)
            if entries.isEmpty {
                connections.removeValue(forKey: runnerID)
                self.broadcaster.yield(.disconnected(runnerID: runnerID))
            } else {
                connections[runnerID] = entries
            }
        }
    }
}
