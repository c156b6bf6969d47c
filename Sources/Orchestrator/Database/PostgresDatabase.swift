import Core
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// PostgreSQL through postgres-nio's pooled client. Every scoped lease first sets the row-level
/// security settings of data-model.md §2.4 (`app.system_access`, `app.tenant_id`, `app.multi_tenant`)
/// in one statement, so RLS backs up the store's own tenant predicates. The settings last for the
/// connection's session, so a lease whose connection already holds its scope skips that round trip
/// (most leases: background work is all `.system`).
public final class PostgresDatabase: Database {
    public let dialect = SQLDialect.postgres
    private let client: PostgresClient
    /// How long a call waits for a pooled connection before it fails with 503.
    let leaseTimeout: Duration
    private let runTask: Task<Void, Never>
    private let logger: Logger
    private let multiTenant: Bool
    private let maxConnections: Int
    /// The scope each pooled connection's session holds now, by connection id (ids are never
    /// reused within a client). Only committed settings are recorded: a rolled-back transaction
    /// undoes its set_config, so its connection's entry is dropped.
    private let connectionScopes = Mutex<[PostgresConnection.ID: TenantScope]>([:])

    /// Parses `postgres://user:pass@host:port/db?sslmode=disable|prefer|require`. Fails when the
    /// first query gets no answer within `connectTimeout`.
    public static func open(
        url: String, maxConnections: Int, multiTenant: Bool, logger: Logger, connectTimeout: Duration = .seconds(10),
        leaseTimeout: Duration = .seconds(10)
    ) async throws -> PostgresDatabase {
        let config = try configuration(from: url, maxConnections: maxConnections)
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        let task = Task { await client.run() }
        let database = PostgresDatabase(
            client: client, runTask: task, logger: logger, multiTenant: multiTenant, maxConnections: maxConnections,
            leaseTimeout: leaseTimeout)
        do {
            // Fail fast with a readable error instead of on the first request.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await database.read(.system) { try await $0.query("SELECT 1", []) } }
                group.addTask {
                    try await Task.sleep(for: connectTimeout)
                    throw DatabaseError.connectionFailed("no answer from \(config.host ?? "?") within \(connectTimeout)")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            task.cancel()
            throw DatabaseError.connectionFailed(String(describing: error))
        }
        return database
    }

    static func configuration(from url: String, maxConnections: Int) throws -> PostgresClient.Configuration {
        guard let components = URLParts(url), components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw DatabaseError.connectionFailed(
                "MARIONETTE_DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let tls: PostgresClient.Configuration.TLS
        switch components.query["sslmode"] ?? "disable" {
        case "disable": tls = .disable
        case "require", "verify-full", "verify-ca": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var config = PostgresClient.Configuration(
            host: components.host, port: components.port ?? 5432, username: components.user,
            password: components.password, database: components.database, tls: tls)
        config.options.maximumConnections = maxConnections
        config.options.minimumConnections = min(2, maxConnections)
        return config
    }

    private init(
        client: PostgresClient, runTask: Task<Void, Never>, logger: Logger, multiTenant: Bool, maxConnections: Int,
        leaseTimeout: Duration
    ) {
        self.leaseTimeout = leaseTimeout
        self.client = client
        self.runTask = runTask
        self.logger = logger
        self.multiTenant = multiTenant
        self.maxConnections = maxConnections
    }

    private func scopeSettings(_ scope: TenantScope) -> [SQLValue] {
        switch scope {
        case .system: return [.text("on"), .text(""), .text(multiTenant ? "on" : "off")]
        case .single: return [.text("off"), .text(""), .text(multiTenant ? "on" : "off")]
        case .tenant(let id): return [.text("off"), .text(id), .text("on")]
        }
    }

    private static let setScopeSQL =
        "SELECT set_config('app.system_access', ?, false), set_config('app.tenant_id', ?, false), "
        + "set_config('app.multi_tenant', ?, false)"

    /// Whether `connection`'s session already holds `scope`'s settings.
    private func holds(_ scope: TenantScope, _ connection: PostgresConnection) -> Bool {
        connectionScopes.withLock { $0[connection.id] == scope }
    }

    private func record(_ scope: TenantScope?, for connection: PostgresConnection) {
        connectionScopes.withLock { scopes in
            guard let scope else {
                scopes[connection.id] = nil
                return
            }
            // Closed connections leave entries behind; the pool replaces connections rarely, so
            // starting over now and then bounds the map without tracking closes.
            if scopes.count >= 4 * maxConnections + 16 { scopes.removeAll() }
            scopes[connection.id] = scope
        }
    }

    /// Sets the scope on a connection outside a transaction (it commits at once).
    private func applyScope(_ scope: TenantScope, _ connection: PostgresConnection, _ executor: PostgresExecutor)
        async throws
    {
        guard !holds(scope, connection) else { return }
        record(nil, for: connection)
        try await executor.execute(Self.setScopeSQL, scopeSettings(scope))
        record(scope, for: connection)
    }

    public func read<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        // The body runs inside a child task of the lease (structured: done before this returns).
        return try await withoutActuallyEscaping(body) { body in
            try await withLeasedConnection { connection in
                let executor = PostgresExecutor(connection: connection, logger: logger)
                try await self.applyScope(scope, connection, executor)
                return try await body(executor)
            }
        }
    }

    /// Each statement commits by itself: one round trip each, no BEGIN/COMMIT.
    public func autocommit<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await read(scope, body)
    }

    public func transaction<T: Sendable>(
        _ scope: TenantScope, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await withoutActuallyEscaping(body) { body in
            try await withLeasedConnection { connection in
                let executor = PostgresExecutor(connection: connection, logger: logger)
                try await executor.execute("BEGIN")
                do {
                    let setsScope = !self.holds(scope, connection)
                    if setsScope {
                        self.record(nil, for: connection)
                        try await executor.execute(Self.setScopeSQL, self.scopeSettings(scope))
                    }
                    let value = try await body(executor)
                    try await executor.execute("COMMIT")
                    if setsScope { self.record(scope, for: connection) }
                    return value
                } catch {
                    // The rollback also undoes a set_config of this transaction.
                    self.record(nil, for: connection)
                    try? await executor.execute("ROLLBACK")
                    throw error
                }
            }
        }
    }


    /// A pooled connection for `body`. While PostgreSQL is down the pool would keep a caller
    /// waiting for ever; past `leaseTimeout` without a connection the call fails with 503
    /// `service_unavailable` instead. Once leased, the body is never cut short.
    private func withLeasedConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        let leased = LeaseFlag()
        let client = self.client
        let leaseTimeout = self.leaseTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.set()
                    return try await body(connection)
                }
            }
            group.addTask {
                try await Task.sleep(for: leaseTimeout)
                guard leased.isSet else {
                    throw APIError(
                        status: 503, code: "service_unavailable",
                        message: "the database gave no connection within \(leaseTimeout); check that PostgreSQL is running and reachable")
                }
                return nil
            }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }

    public func migrate<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        // A session-level advisory lock keeps two replicas from migrating at once.
        try await transaction(.system) { executor in
            try await executor.execute("SELECT pg_advisory_xact_lock(7881090)")
            return try await body(executor)
        }
    }

    public func close() async {
        runTask.cancel()
    }
}

/// Set once a call got its connection (read by the lease timer).
private final class LeaseFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let i): bindings.append(i)
            case .double(let d): bindings.append(d)
            case .text(let s): bindings.append(s)
            case .bool(let b): bindings.append(b)
            case .timestamp(let t): bindings.append(PGTimestamp(t))
            case .json(let s): bindings.append(PGJSONB(text: s))
            case .textArray(let a): bindings.append(a)
            }
        }
        let query = PostgresQuery(unsafeSQL: Self.numberPlaceholders(sql), binds: bindings)
        do {
            let rows = try await connection.query(query, logger: logger).collect()
            guard let first = rows.first else { return [] }
            let names = first.map(\.columnName)
            return try rows.map { row in
                SQLRow(columns: names, values: try row.map(Self.value))
            }
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState]
            let constraint = error.serverInfo?[.constraintName] ?? "?"
            switch state {
            case "23505": throw DatabaseError.uniqueViolation(constraint: constraint)
            case "23503": throw DatabaseError.foreignKeyViolation(constraint: constraint)
            default:
                let message = error.serverInfo?[.message] ?? String(describing: error.code)
                throw DatabaseError.engine("postgres \(state ?? "-"): \(message)")
            }
        }
    }

    /// `?` → `$1, $2, …`, skipping quoted literals.
    static func numberPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var inQuote = false
        for ch in sql {
            if ch == "'" { inQuote.toggle() }
            if ch == "?" && !inQuote {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .float4, .float8, .numeric: return .double(try cell.decode(Double.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .timestamptz, .timestamp:
            guard let micros = bytes.readInteger(as: Int64.self) else { return .null }
            // Floor division keeps pre-2000 values correct.
            let ms = micros >= 0 ? micros / 1000 : (micros - 999) / 1000
            return .timestamp(Timestamp(milliseconds: ms + PGTimestamp.epochOffsetMilliseconds))
        case .jsonb:
            _ = bytes.readInteger(as: UInt8.self)  // format version 1
            return .json(bytes.readString(length: bytes.readableBytes) ?? "null")
        case .json: return .json(bytes.readString(length: bytes.readableBytes) ?? "null")
        case .textArray, .varcharArray: return .textArray(try cell.decode([String].self))
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// TIMESTAMPTZ in binary form: microseconds since 2000-01-01, written exactly from milliseconds
/// (Foundation's Date would go through a Double and can round a millisecond away).
struct PGTimestamp: PostgresNonThrowingEncodable {
    static let epochOffsetMilliseconds: Int64 = 946_684_800_000
    let value: Timestamp
    init(_ value: Timestamp) { self.value = value }
    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }
    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger((value.milliseconds - Self.epochOffsetMilliseconds) * 1000)
    }
}

/// JSONB in binary form: a version byte followed by the JSON text.
struct PGJSONB: PostgresNonThrowingEncodable {
    let text: String
    static var psqlType: PostgresDataType { .jsonb }
    static var psqlFormat: PostgresFormat { .binary }
    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(UInt8(1))
        byteBuffer.writeString(text)
    }
}

/// Minimal parser for database URLs (Foundation's URL percent-decodes inconsistently on Linux).
struct URLParts {
    var scheme: String
    var user: String
    var password: String?
    var host: String
    var port: Int?
    var database: String?
    var query: [String: String] = [:]

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = String(url[..<schemeEnd.lowerBound])
        var rest = Substring(url[schemeEnd.upperBound...])
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
            }
            rest = rest[..<q]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let db = rest[rest.index(after: slash)...]
            database = db.isEmpty ? nil : Self.decode(db)
        }
        user = "postgres"
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = Self.decode(credentials[..<colon])
                password = Self.decode(credentials[credentials.index(after: colon)...])
            } else {
                user = Self.decode(credentials)
            }
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        } else {
            host = String(authority)
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
    }

    static func decode(_ s: Substring) -> String {
        String(s).removingPercentEncoding ?? String(s)
    }
}
