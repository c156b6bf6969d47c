import Core
import Foundation
import Logging
import Testing

@testable import Orchestrator

/// Both store engines for the shared suites. SQLite runs on a temp file. PostgreSQL runs against the
/// throwaway cluster `scripts/test.sh` starts (`MARIONETTE_TEST_DATABASE_URL`); each test gets its
/// own fresh database. With `CI=true` a missing PostgreSQL fails the test instead of skipping it.
enum Engine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

struct TestDatabase: Sendable {
    let store: Store
    let cleanup: @Sendable () async -> Void
}

/// Bounds how many PostgreSQL test databases exist at once. Swift Testing runs every suite in
/// parallel; unbounded, 40+ databases with their pools exceed the cluster's 200 connections and
/// CREATE DATABASE piles up on two cores, so connects time out. Waiting for a slot does not.
actor PostgresSlots {
    static let shared = PostgresSlots(limit: 12)
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { free += 1 } else { waiters.removeFirst().resume() }
    }
}

enum TestDatabases {
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    static var postgresURL: String? { ProcessInfo.processInfo.environment["MARIONETTE_TEST_DATABASE_URL"] }
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// nil means: skip this engine here (only outside CI).
    /// `migrations`: apply only up to this version (migration tests); nil = all.
    static func make(
        _ engine: Engine, clock: any WallClock = SystemWallClock(), multiTenant: Bool = false, maxConnections: Int = 4,
        migrations: Int? = nil
    ) async throws -> TestDatabase? {
        switch engine {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mt-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let db = try await SQLiteDatabase.open(path: dir + "/test.db", logger: logger)
            try await Migrations.apply(to: db, upTo: migrations, logger: logger)
            return TestDatabase(store: Store(database: db, clock: clock)) {
                await db.close()
                try? FileManager.default.removeItem(atPath: dir)
            }
        case .postgres:
            guard let base = postgresURL else {
                if inCI {
                    Issue.record("MARIONETTE_TEST_DATABASE_URL is not set: PostgreSQL is required in CI (run make test)")
                    throw PostgresMissing()
                }
                return nil
            }
            let name = "mt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            await PostgresSlots.shared.acquire()
            let drop: @Sendable () async -> Void = {
                if let admin = try? await PostgresDatabase.open(url: base, maxConnections: 1, multiTenant: false, logger: logger) {
                    _ = try? await admin.read(.system) { try await $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
                    await admin.close()
                }
                await PostgresSlots.shared.release()
            }
            do {
                // The throwaway cluster shares 2 cores with ~500 parallel tests: connects can be slow.
                let admin = try await PostgresDatabase.open(
                    url: base, maxConnections: 1, multiTenant: false, logger: logger, connectTimeout: .seconds(60))
                try await admin.read(.system) { try await $0.execute("CREATE DATABASE \(name)") }
                await admin.close()
                let url = replaceDatabase(in: base, with: String(name))
                let db = try await PostgresDatabase.open(
                    url: url, maxConnections: maxConnections, multiTenant: multiTenant, logger: logger,
                    connectTimeout: .seconds(60))
                try await Migrations.apply(to: db, upTo: migrations, logger: logger)
                return TestDatabase(store: Store(database: db, clock: clock)) {
                    await db.close()
                    await drop()
                }
            } catch {
                await drop()
                throw error
            }
        }
    }

    static func replaceDatabase(in url: String, with name: String) -> String {
        var base = url
        var query = ""
        if let q = base.firstIndex(of: "?") {
            query = String(base[q...])
            base = String(base[..<q])
        }
        let schemeEnd = base.range(of: "://")!.upperBound
        if let slash = base[schemeEnd...].firstIndex(of: "/") { base = String(base[..<slash]) }
        return base + "/" + name + query
    }

    /// Runs `body` against a fresh store of `engine`, cleaning up afterwards.
    static func with(
        _ engine: Engine, clock: any WallClock = SystemWallClock(), multiTenant: Bool = false, maxConnections: Int = 4,
        migrations: Int? = nil, _ body: (Store) async throws -> Void
    ) async throws {
        guard
            let db = try await make(
                engine, clock: clock, multiTenant: multiTenant, maxConnections: maxConnections, migrations: migrations)
        else {
            print("skipping \(engine) store test: MARIONETTE_TEST_DATABASE_URL is not set")
            return
        }
        do {
            try await body(db.store)
        } catch {
            await db.cleanup()
            throw error
        }
        await db.cleanup()
    }
}

struct PostgresMissing: Error {}
