/// A table description rendered to both engines' DDL, so one migration set serves SQLite and
/// PostgreSQL (data-model.md §2.2, §2.5). Foreign keys are inline on SQLite and added by
/// `ALTER TABLE` on PostgreSQL after every table exists, which lets tables reference each other.
struct Column: Sendable {
    enum Kind: Sendable { case text, int, bigint, bool, double, timestamp, json, textArray }
    enum Default: Sendable { case text(String), int(Int), bool(Bool), now, emptyObject, emptyArray }

    var name: String
    var kind: Kind
    var notNull = false
    var defaultValue: Default?
    var primaryKey = false
    var unique = false
    var check: String?
    /// `table(column) ON DELETE action`
    var references: String?
}

struct Table: Sendable {
    var name: String
    var columns: [Column]
    /// Table constraints such as `UNIQUE (task_id, attempt)`; both dialects accept them as written.
    var constraints: [String] = []
    /// Statements such as `CREATE INDEX …`; both dialects accept them as written.
    var indexes: [String] = []
    /// Extra rows every tenant may read (built-in profiles), OR-ed into the RLS read policy.
    var sharedRows: String? = nil
    /// Tenant-bearing tables get row-level security on PostgreSQL.
    var tenantScoped: Bool { columns.contains { $0.name == "tenant_id" } }
}

extension Column {
    static func id() -> Column { Column(name: "id", kind: .text, notNull: true, primaryKey: true) }
    static func text(_ name: String, notNull: Bool = false, default value: String? = nil, check: String? = nil)
        -> Column
    {
        Column(name: name, kind: .text, notNull: notNull || value != nil, defaultValue: value.map { .text($0) },
            check: check)
    }
    static func oneOf(_ name: String, _ values: [String], default value: String? = nil, notNull: Bool = true)
        -> Column
    {
        let list = values.map { "'\($0)'" }.joined(separator: ",")
        return Column(name: name, kind: .text, notNull: notNull, defaultValue: value.map { .text($0) },
            check: notNull ? "\(name) IN (\(list))" : "\(name) IS NULL OR \(name) IN (\(list))")
    }
    static func int(_ name: String, notNull: Bool = false, default value: Int? = nil, check: String? = nil)
        -> Column
    {
        Column(name: name, kind: .int, notNull: notNull || value != nil, defaultValue: value.map { .int($0) },
            check: check)
    }
    static func bigint(_ name: String, notNull: Bool = false, default value: Int? = nil) -> Column {
        Column(name: name, kind: .bigint, notNull: notNull || value != nil, defaultValue: value.map { .int($0) })
    }
    static func bool(_ name: String, default value: Bool? = nil) -> Column {
        Column(name: name, kind: .bool, notNull: value != nil, defaultValue: value.map { .bool($0) })
    }
    static func double(_ name: String) -> Column { Column(name: name, kind: .double) }
    static func timestamp(_ name: String, notNull: Bool = false, defaultNow: Bool = false) -> Column {
        Column(name: name, kind: .timestamp, notNull: notNull || defaultNow, defaultValue: defaultNow ? .now : nil)
    }
    static func json(_ name: String, default value: Default? = .emptyObject, notNull: Bool = true) -> Column {
        Column(name: name, kind: .json, notNull: notNull && value != nil, defaultValue: value)
    }
    static func array(_ name: String) -> Column {
        Column(name: name, kind: .textArray, notNull: true, defaultValue: .emptyArray)
    }
    static func ref(_ name: String, _ target: String, onDelete: String, notNull: Bool = false) -> Column {
        Column(name: name, kind: .text, notNull: notNull, references: "\(target) ON DELETE \(onDelete)")
    }

    /// The common columns "T L A C U" of data-model.md §2.3.
    static func common(_ letters: String) -> [Column] {
        var out: [Column] = []
        if letters.contains("T") { out.append(.text("tenant_id")) }
        if letters.contains("L") { out.append(.json("labels")) }
        if letters.contains("A") { out.append(.json("annotations")) }
        if letters.contains("C") { out.append(.timestamp("created_at", defaultNow: true)) }
        if letters.contains("U") { out.append(.timestamp("updated_at", defaultNow: true)) }
        return out
    }
}

enum DDL {
    static func render(_ tables: [Table], dialect: SQLDialect) -> [String] {
        var statements: [String] = []
        var foreignKeys: [String] = []
        for table in tables {
            var parts: [String] = []
            for column in table.columns {
                parts.append(render(column, dialect: dialect))
                if let target = column.references, dialect == .postgres {
                    foreignKeys.append(
                        "ALTER TABLE \(table.name) ADD CONSTRAINT \(table.name)_\(column.name)_fkey "
                            + "FOREIGN KEY (\(column.name)) REFERENCES \(target)")
                }
            }
            parts.append(contentsOf: table.constraints)
            statements.append("CREATE TABLE \(table.name) (\n  " + parts.joined(separator: ",\n  ") + "\n)")
            statements.append(contentsOf: table.indexes)
        }
        statements.append(contentsOf: foreignKeys)
        if dialect == .postgres {
            statements.append(tenantFunction)
            for table in tables where table.tenantScoped {
                statements.append("ALTER TABLE \(table.name) ENABLE ROW LEVEL SECURITY")
                statements.append("ALTER TABLE \(table.name) FORCE ROW LEVEL SECURITY")
                let shared = table.sharedRows.map { "\($0) OR " } ?? ""
                statements.append(
                    "CREATE POLICY tenant_isolation ON \(table.name) USING (\(shared)marionette_tenant_visible(tenant_id)) "
                        + "WITH CHECK (marionette_tenant_visible(tenant_id))")
            }
        }
        return statements
    }

    static func render(_ column: Column, dialect: SQLDialect) -> String {
        let pg = dialect == .postgres
        var sql = column.name + " "
        switch column.kind {
        case .text: sql += "TEXT"
        case .int: sql += pg ? "INT" : "INTEGER"
        case .bigint: sql += pg ? "BIGINT" : "INTEGER"
        case .bool: sql += pg ? "BOOLEAN" : "INTEGER"
        case .double: sql += pg ? "DOUBLE PRECISION" : "REAL"
        case .timestamp: sql += pg ? "TIMESTAMPTZ" : "TEXT"
        case .json: sql += pg ? "JSONB" : "TEXT"
        case .textArray: sql += pg ? "TEXT[]" : "TEXT"
        }
        if column.primaryKey { sql += " PRIMARY KEY" }
        if column.notNull && !column.primaryKey { sql += " NOT NULL" }
        if column.unique { sql += " UNIQUE" }
        if let value = column.defaultValue {
            sql += " DEFAULT "
            switch value {
            case .text(let s): sql += "'\(s)'"
            case .int(let i): sql += String(i)
            case .bool(let b): sql += pg ? (b ? "true" : "false") : (b ? "1" : "0")
            case .now: sql += pg ? "now()" : "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
            case .emptyObject: sql += pg ? "'{}'::jsonb" : "'{}'"
            case .emptyArray:
                sql += column.kind == .json ? (pg ? "'[]'::jsonb" : "'[]'") : (pg ? "'{}'" : "'[]'")
            }
        }
        var checks: [String] = []
        if let check = column.check { checks.append(check) }
        if !pg {
            switch column.kind {
            case .bool: checks.append("\(column.name) IN (0,1)")
            case .json, .textArray: checks.append("json_valid(\(column.name))")
            default: break
            }
        }
        for check in checks { sql += " CHECK (\(check))" }
        if let target = column.references, !pg { sql += " REFERENCES \(target)" }
        return sql
    }

    static let tenantFunction = """
        CREATE OR REPLACE FUNCTION marionette_tenant_visible(row_tenant TEXT) RETURNS BOOLEAN
        LANGUAGE sql STABLE AS $$
          SELECT CASE
            WHEN current_setting('app.system_access', true) = 'on' THEN true
            WHEN coalesce(current_setting('app.tenant_id', true), '') <> ''
              THEN row_tenant = current_setting('app.tenant_id', true)
            WHEN current_setting('app.multi_tenant', true) = 'on' THEN false
            ELSE row_tenant IS NULL
          END
        $$
        """
}
