import Core
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import Orchestrator

/// A PostgreSQL that goes away under a running server: store calls fail with 503
/// `service_unavailable` after the lease timeout instead of waiting for ever (the admin UI and
/// every API route would hang otherwise). Runs its own throwaway cluster (scripts/pg-cluster.sh).
@Suite struct PostgresOutageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func cluster(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/pg-cluster.sh")
        process.arguments = arguments
        // Output to a file, not a pipe: the postmaster the script leaves running may keep a pipe
        // open, and reading it to its end would wait for the cluster to stop.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("pg-cluster-\(UUID().uuidString).out").path
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Reaped here with waitpid: in this test process Foundation's exit monitoring can miss the
        // child's exit (it stays a zombie and both waitUntilExit and terminationHandler wait).
        let pid = process.processIdentifier
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw DatabaseError.connectionFailed("pg-cluster.sh \(arguments.joined(separator: " ")) failed (status \(status))")
        }
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test func aStoppedClusterFailsCallsWith503() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-outage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let url: String
        do {
            url = try await Self.cluster(["start", folder])
        } catch {
            // PostgreSQL is part of the test setup (scripts/install-deps.sh): missing in CI is a failure.
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw error }
            return
        }
        do {
            try await Self.queriesFailFastOnceStopped(url: url, folder: folder)
        } catch {
            _ = try? await Self.cluster(["stop", folder])
            throw error
        }
    }

    static func queriesFailFastOnceStopped(url: String, folder: String) async throws {
        // 4 s: under a full parallel run the first lease of the fresh cluster took over 1 s; the two
        // calls after the stop still answer well inside the 20 s bound below.
        let database = try await PostgresDatabase.open(
            url: url, maxConnections: 2, multiTenant: false, logger: TestDatabases.logger, leaseTimeout: .seconds(4))
        let one = try await database.read(.system) { try await $0.first("SELECT 1 AS n", [])?.int("n") }
        #expect(one == 1)

        _ = try await cluster(["stop", folder])
        let started = ContinuousClock.now
        // The first call may see the pool's dropped connection; the next ones wait for a new
        // one, which never comes: 503 after the lease timeout, not a hang.
        var codes: [String] = []
        for _ in 0..<2 {
            do {
                _ = try await database.read(.system) { try await $0.query("SELECT 1", []) }
                codes.append("ok")
            } catch let error as APIError {
                codes.append(error.code)
                #expect(error.status == 503 && error.message.contains("PostgreSQL"), "\(error)")
            } catch {
                codes.append("other")
            }
        }
        #expect(codes.last == "service_unavailable", "\(codes)")
        #expect(!codes.contains("ok"))
        #expect(started.duration(to: .now) < .seconds(20))
        await database.close()
    }
}
