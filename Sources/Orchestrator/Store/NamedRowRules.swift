import Core

/// Rules shared by the named admin resources (agent and provider configs, profiles, webhooks):
/// names unique per tenant, and at most one default per kind.
enum NamedRowRules {
    /// 409 `name_exists` when another row of `table` in the tenant, or a row every tenant sees
    /// (`shared`, a boolean column such as profiles' `is_builtin`), has `name`.
    static func requireUniqueName(
        _ name: String, table: String, kind: String, tenantID: String?, except id: String?, shared: String? = nil,
        in db: any SQLExecutor
    ) async throws {
        var sql = "SELECT id FROM \(table) WHERE name = ? AND "
        var binds: [SQLValue] = [.text(name), .text(tenantID ?? "")]
        if let shared {
            sql += "(COALESCE(tenant_id,'') = ? OR \(shared) = ?)"
            binds.append(.bool(true))
        } else {
            sql += "COALESCE(tenant_id,'') = ?"
        }
        sql += " AND id <> ?"
        binds.append(.text(id ?? ""))
        if try await db.first(sql, binds) != nil {
            let article = kind.first.map { "aeiou".contains($0) } == true ? "an" : "a"
            throw APIError.conflict("name_exists", "\(article) \(kind) named \"\(name)\" exists; choose another name")
        }
    }

    /// Unsets the tenant's current default among rows whose `column` is `value` (one default per
    /// agent, per provider), in the transaction that sets the new one.
    static func clearDefault(table: String, column: String, value: String, tenantID: String?, now: Timestamp, in db: any SQLExecutor)
        async throws
    {
        try await db.execute(
            "UPDATE \(table) SET is_default = ?, updated_at = ? WHERE \(column) = ? AND COALESCE(tenant_id,'') = ? AND is_default = ?",
            [.bool(false), .timestamp(now), .text(value), .text(tenantID ?? ""), .bool(true)])
    }
}
