import Core
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// The embedded store: one serialized writer connection plus a small reader pool, WAL mode
/// (data-model.md §2.5). All libsqlite calls run on the NIO thread pool, never on an event loop.
public final class SQLiteDatabase: Database {
    public let dialect = SQLDialect.sqlite
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncMutex()
    private let readerCursor = ReaderCursor()
    /// Background checkpoints: the connection and the loop using it.
    private let checkpointer: (connection: SQLiteConnection, loop: Task<Void, Never>)?
    /// How often the background checkpoint runs.
    static let checkpointInterval: Duration = .milliseconds(500)

    public static func open(path: String, readers: Int = 4, logger: Logger) async throws -> SQLiteDatabase {
        let storage: SQLiteConnection.Storage = path == ":memory:" ? .memory : .file(path: path)
        let writer = try await SQLiteConnection.open(storage: storage, logger: logger)
        // No automatic checkpoint on commit: it ran inside the write transaction that crossed
        // 1,000 WAL pages, with an fsync of the database file (measured up to 0.5 s on a busy
        // disk) while every other writer waited. A background connection checkpoints instead.
        for pragma in [
            "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000",
            "PRAGMA synchronous=NORMAL", path == ":memory:" ? "PRAGMA wal_autocheckpoint=1000" : "PRAGMA wal_autocheckpoint=0",
        ] {
            _ = try await writer.query(pragma, [])
        }
        var pool: [SQLiteConnection] = []
        // An in-memory database is private to its connection: read through the writer then.
        if path != ":memory:" {
            for _ in 0..<max(1, readers) {
                let reader = try await SQLiteConnection.open(storage: storage, logger: logger)
                _ = try await reader.query("PRAGMA busy_timeout=5000", [])
                _ = try await reader.query("PRAGMA foreign_keys=ON", [])
                pool.append(reader)
            }
        }
        var checkpointer: (SQLiteConnection, Task<Void, Never>)?
        if path != ":memory:" {
            let connection = try await SQLiteConnection.open(storage: storage, logger: logger)
            _ = try await connection.query("PRAGMA busy_timeout=5000", [])
            let loop = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: checkpointInterval)
                    if Task.isCancelled { break }
                    // PASSIVE: copies what it can without blocking readers or the writer.
                    _ = try? await connection.query("PRAGMA wal_checkpoint(PASSIVE)", [])
                }
            }
            checkpointer = (connection, loop)
        }
        return SQLiteDatabase(writer: writer, readers: pool, checkpointer: checkpointer)
    }

    private init(
        writer: SQLiteConnection, readers: [SQLiteConnection], checkpointer: (SQLiteConnection, Task<Void, Never>)?
    ) {
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
    }

    public func read<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        guard !readers.isEmpty else {
            return try await writeLock.withLock { try await body(SQLiteExecutor(connection: self.writer)) }
        }
        let reader = readers[readerCursor.next() % readers.count]
        return try await body(SQLiteExecutor(connection: reader))
    }

    public func transaction<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await writeLock.withLock {
            let executor = SQLiteExecutor(connection: self.writer)
            // IMMEDIATE takes the write lock up front: no upgrade deadlock with readers.
            try await executor.execute("BEGIN IMMEDIATE")
            do {
                let value = try await body(executor)
                try await executor.execute("COMMIT")
                return value
            } catch {
                try? await executor.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// On the writer, without BEGIN/COMMIT: each statement is its own implicit transaction.
    public func autocommit<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await writeLock.withLock { try await body(SQLiteExecutor(connection: self.writer)) }
    }

    public func migrate<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await transaction(.system, body)
    }

    public func close() async {
        if let (connection, loop) = checkpointer {
            loop.cancel()
            await loop.value
            // Not from the cancelled loop: a cancelled task's queries may not run.
            _ = try? await connection.query("PRAGMA wal_checkpoint(TRUNCATE)", [])
            try? await connection.close()
        }
        for reader in readers { try? await reader.close() }
        try? await writer.close()
    }
}

/// Round-robin index over the reader pool; an atomic is cheaper than an actor hop.
private final class ReaderCursor: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).newValue & Int.max }
}

struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let data = binds.map(Self.data)
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(sql, data)
        } catch let error as SQLiteError {
            switch error.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
                throw DatabaseError.uniqueViolation(constraint: error.message)
            case .constraintForeignKeyFailed:
                throw DatabaseError.foreignKeyViolation(constraint: error.message)
            default:
                throw DatabaseError.engine("sqlite: \(error.message)")
            }
        }
        guard let firstRow = rows.first else { return [] }
        let names = firstRow.columns.map(\.name)
        return rows.map { row in
            SQLRow(columns: names, values: row.columns.map { Self.value($0.data) })
        }
    }

    static func data(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: return .null
        case .int(let i): return .integer(SQLiteInt64(i))
        case .double(let d): return .float(d)
        case .text(let s), .json(let s): return .text(s)
        case .bool(let b): return .integer(b ? 1 : 0)
        case .timestamp(let t): return .text(t.rfc3339)
        case .textArray(let a): return .text(JSONText.encode(a))
        }
    }

    static func value(_ data: SQLiteData) -> SQLValue {
        switch data {
        case .integer(let i): return .int(Int64(i))
        case .float(let d): return .double(d)
        case .text(let s): return .text(s)
        case .blob(let b): return .text(String(buffer: b))
        case .null: return .null
        }
    }
}
