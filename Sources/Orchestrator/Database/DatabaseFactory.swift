import Core
import Foundation
import Logging

/// Opens the configured engine and applies pending migrations. SQLite is single-process: a lock
/// file in the data directory refuses a second server on the same data.
public enum DatabaseFactory {
    public struct Opened: Sendable {
        public let database: any Database
        public let lock: DataDirLock?
        public let appliedMigrations: [String]
    }

    public static func open(config: ServerConfig, logger: Logger) async throws -> Opened {
        switch config.resolvedDriver {
        case .postgres:
            guard let url = config.databaseURL else { throw DatabaseError.connectionFailed("MARIONETTE_DATABASE_URL is not set") }
            let db = try await PostgresDatabase.open(
                url: url, maxConnections: config.databaseMaxConnections, multiTenant: config.multiTenant, logger: logger)
            let applied = try await Migrations.apply(to: db, logger: logger)
            return Opened(database: db, lock: nil, appliedMigrations: applied)
        case .sqlite:
            let path = config.resolvedSQLitePath
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try DataDirLock.ensureDirectory(directory) }
            let lock = try DataDirLock.acquire(path + ".lock")
            let db = try await SQLiteDatabase.open(path: path, logger: logger)
            let applied = try await Migrations.apply(to: db, logger: logger)
            return Opened(database: db, lock: lock, appliedMigrations: applied)
        }
    }
}

/// An exclusive `flock` held for the life of the process.
public final class DataDirLock: Sendable {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    public static func acquire(_ path: String) throws -> DataDirLock {
        let fd = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DatabaseError.engine("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Foundation.close(fd)
            throw DatabaseError.engine(
                "another marionette-server already uses \(path.dropLast(5)); the embedded SQLite store serves one process only")
        }
        return DataDirLock(fd: fd)
    }

    public static func ensureDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DatabaseError.engine("\(path) exists and is not a directory") }
            return
        }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    deinit { Foundation.close(fd) }
}
