import Core

/// A bound parameter or a read column, in logical types (data-model.md §2.2). Each engine maps
/// them to its own storage: SQLite keeps timestamps as fixed-width RFC 3339 text, booleans as 0/1
/// and JSON and arrays as JSON text; PostgreSQL uses TIMESTAMPTZ, BOOLEAN, JSONB and TEXT[].
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    case timestamp(Timestamp)
    /// JSON document text (an object or array), stored as JSONB / TEXT.
    case json(String)
    case textArray([String])

    public static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    public static func optional(_ value: Int?) -> SQLValue { value.map { .int(Int64($0)) } ?? .null }
    public static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.int) ?? .null }
    public static func optional(_ value: Timestamp?) -> SQLValue { value.map(SQLValue.timestamp) ?? .null }
    public static func optional(_ value: Bool?) -> SQLValue { value.map(SQLValue.bool) ?? .null }
    public static func int(_ value: Int) -> SQLValue { .int(Int64(value)) }
    public static func labels(_ value: [String: String]) -> SQLValue { .json(JSONText.encode(value)) }
}

/// One result row with typed accessors that accept either engine's representation.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public func value(_ name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    public func string(_ name: String) -> String? {
        switch value(name) {
        case .text(let s), .json(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .timestamp(let t): return t.rfc3339
        case .textArray, .null: return nil
        }
    }

    public func requiredString(_ name: String) throws -> String {
        guard let s = string(name) else { throw DatabaseError.missingColumn(name) }
        return s
    }

    public func int64(_ name: String) -> Int64? {
        switch value(name) {
        case .int(let i): return i
        case .double(let d): return Int64(d)
        case .text(let s): return Int64(s)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    public func int(_ name: String) -> Int? { int64(name).map(Int.init) }

    public func double(_ name: String) -> Double? {
        switch value(name) {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .text(let s): return Double(s)
        default: return nil
        }
    }

    public func bool(_ name: String) -> Bool {
        switch value(name) {
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .text(let s): return s == "true" || s == "t" || s == "1"
        default: return false
        }
    }

    public func timestamp(_ name: String) -> Timestamp? {
        switch value(name) {
        case .timestamp(let t): return t
        case .text(let s): return RFC3339.parse(s)
        default: return nil
        }
    }

    public func requiredTimestamp(_ name: String) throws -> Timestamp {
        guard let t = timestamp(name) else { throw DatabaseError.missingColumn(name) }
        return t
    }

    public func stringMap(_ name: String) -> [String: String] {
        guard let text = string(name) else { return [:] }
        return JSONText.decodeMap(text)
    }

    public func stringArray(_ name: String) -> [String] {
        switch value(name) {
        case .textArray(let a): return a
        case .text(let s), .json(let s): return JSONText.decodeArray(s)
        default: return []
        }
    }
}

public enum DatabaseError: Error, CustomStringConvertible {
    case uniqueViolation(constraint: String)
    case foreignKeyViolation(constraint: String)
    case missingColumn(String)
    case unsupportedSchemaVersion(found: Int, known: Int)
    case connectionFailed(String)
    case engine(String)

    public var description: String {
        switch self {
        case .uniqueViolation(let c): return "unique constraint violated: \(c)"
        case .foreignKeyViolation(let c): return "foreign key constraint violated: \(c)"
        case .missingColumn(let c): return "column \(c) missing or null in result"
        case .unsupportedSchemaVersion(let found, let known):
            return "the database schema is at version \(found) but this server knows only up to \(known); "
                + "run a newer marionette-server"
        case .connectionFailed(let m): return "cannot connect to the database: \(m)"
        case .engine(let m): return m
        }
    }
}
