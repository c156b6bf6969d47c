import Core
import Crypto
import Logging

/// One linear, numbered migration set for both engines (data-model.md §2.5).
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: @Sendable (SQLDialect) -> [String]

    func checksum(_ dialect: SQLDialect) -> String {
        let digest = SHA256.hash(data: Array(statements(dialect).joined(separator: ";\n").utf8))
        return Hex.encode(digest)
    }
}

public enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "0001_initial", statements: Migration0001Initial.statements),
        Migration(version: 2, name: "0002_streams", statements: Migration0002Streams.statements),
        Migration(version: 3, name: "0003_tunnels", statements: Migration0003Tunnels.statements),
        Migration(version: 4, name: "0004_webhooks", statements: Migration0004Webhooks.statements),
        Migration(version: 5, name: "0005_encryption_at_rest", statements: Migration0005EncryptionAtRest.statements),
        Migration(version: 6, name: "0006_log_indexes", statements: Migration0006LogIndexes.statements),
        Migration(version: 7, name: "0007_logs_by_run", statements: Migration0007LogsByRun.statements),
    ]

    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// Applies every pending migration, each in its own transaction. Refuses to run against a
    /// schema newer than this binary knows.
    @discardableResult
    public static func apply(to database: any Database, upTo target: Int? = nil, logger: Logger) async throws
        -> [String]
    {
        let dialect = database.dialect
        let appliedAt = dialect == .postgres ? "TIMESTAMPTZ" : "TEXT"
        return try await database.migrate { db in
            try await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, name TEXT NOT NULL, "
                    + "checksum TEXT, applied_at \(appliedAt) NOT NULL)")
            let current = try await db.first("SELECT MAX(version) AS v FROM schema_migrations")?.int("v") ?? 0
            guard current <= latestVersion else {
                throw DatabaseError.unsupportedSchemaVersion(found: current, known: latestVersion)
            }
            var applied: [String] = []
            for migration in all where migration.version > current && migration.version <= (target ?? Int.max) {
                for statement in migration.statements(dialect) {
                    try await db.execute(statement)
                }
                try await db.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                    [.int(migration.version), .text(migration.name), .text(migration.checksum(dialect)),
                     .timestamp(SystemWallClock().now())])
                logger.info("applied migration", metadata: ["migration": .string(migration.name)])
                applied.append(migration.name)
            }
            return applied
        }
    }
}
