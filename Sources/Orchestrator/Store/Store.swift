import Core
import Logging

/// The store: typed reads and writes over either engine. Every call takes the caller's tenant
/// scope and appends the tenant predicate itself; PostgreSQL's row-level security backs it up.
public struct Store: Sendable {
    public let database: any Database
    public let clock: any WallClock
    /// Committed state changes, for the events streams and webhooks (api.md §14).
    public let events: EventBus

    public init(database: any Database, clock: any WallClock = SystemWallClock(), events: EventBus = EventBus()) {
        self.database = database
        self.clock = clock
        self.events = events
    }

    public var dialect: SQLDialect { database.dialect }

    func now() -> Timestamp { clock.now() }

    func newID(_ prefix: IDPrefix, at time: Timestamp) -> String {
        ID.make(prefix, milliseconds: time.milliseconds)
    }
}
