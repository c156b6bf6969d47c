import Core
import Foundation

extension Store {
    public func adminRunner(_ id: String) async throws -> AdminRunnerRecord? {
        try await database.read(.system) { db in
            try await db.first("SELECT * FROM runners WHERE id = ?", [.text(id)]).map(AdminRunnerRecord.init)
        }
    }

    public func adminRunners(_ criteria: RunnerFilter, page: PageRequest) async throws -> Page<AdminRunnerRecord> {
        try await runnerPage(criteria, page: page, scope: .system, decode: AdminRunnerRecord.init) { $0.runner }
    }

    /// The runner and why it cannot be destroyed now, if so: it is busy with a session, or it is
    /// starting for one that waits for it.
    private func runnerUse(_ id: String, in db: any SQLExecutor) async throws -> (AdminRunnerRecord, String?) {
        guard let runner = try await db.first("SELECT * FROM runners WHERE id = ?", [.text(id)]).map(AdminRunnerRecord.init) else {
            throw APIError.notFound("runner", id)
        }
        let active = try await db.first(
            "SELECT id FROM sessions WHERE runner_id = ? AND status = 'active'", [.text(id)])?.string("id")
        if runner.runner.status == "busy" || active != nil {
            let session = active ?? runner.claimSessionID
            return (runner, "runner \(id) is busy" + (session.map { " with session \($0)" } ?? "") + "; suspend or terminate the session first")
        }
        if let claim = runner.claimSessionID,
            try await db.first(
                "SELECT id FROM sessions WHERE id = ? AND status IN ('pending', 'resuming') AND runner_id IS NULL", [.text(claim)]) != nil
        {
            return (runner, "runner \(id) is starting for session \(claim); suspend or terminate the session first")
        }
        return (runner, nil)
    }

    /// The runner's row, unless it is in use (409 `invalid_state`).
    public func destroyableRunner(_ id: String) async throws -> AdminRunnerRecord {
        try await database.read(.system) { db in
            let (runner, busy) = try await runnerUse(id, in: db)
            if let busy { throw APIError.invalidState(busy) }
            return runner
        }
    }

    /// Deletes the runner's row (its tokens go with it: CASCADE), checking again that it is free.
    public func deleteRunner(_ id: String) async throws {
        try await database.transaction(.system) { db in
            if let busy = try await runnerUse(id, in: db).1 { throw APIError.invalidState(busy) }
            try await db.execute("DELETE FROM runners WHERE id = ?", [.text(id)])
        }
    }
}
