import Core
import Foundation

/// Opaque list cursor: the (created_at, id) of the last item on a page, base64url-encoded.
public struct Cursor: Sendable, Equatable {
    public var createdAt: Timestamp
    public var id: String

    public init(createdAt: Timestamp, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    public var encoded: String {
        Data("\(createdAt.milliseconds).\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init(encoded: String) throws(APIError) {
        var text = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard encoded.count <= 256, let data = Data(base64Encoded: text),
            let decoded = String(data: data, encoding: .utf8),
            let dot = decoded.firstIndex(of: "."),
            let ms = Int64(decoded[..<dot]),
            case let id = String(decoded[decoded.index(after: dot)...]), !id.isEmpty, id.utf8.count <= 64,
            id.utf8.allSatisfy({ $0 == 95 || ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
        else { throw APIError.invalidCursor }
        self.createdAt = Timestamp(milliseconds: ms)
        self.id = id
    }
}

public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var cursor: Cursor?

    public init(limit: Int = 50, cursor: Cursor? = nil) {
        self.limit = limit
        self.cursor = cursor
    }
}

/// The list envelope of api.md §1.6.
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    public var totalCount: Int64
    public var hasMore: Bool
    public var nextCursor: String?

    public init(items: [Item], totalCount: Int64, hasMore: Bool, nextCursor: String?) {
        self.items = items
        self.totalCount = totalCount
        self.hasMore = hasMore
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case items, totalCount = "total_count", hasMore = "has_more", nextCursor = "next_cursor"
    }
}

/// Accumulates a WHERE clause and its binds.
struct SQLFilter: Sendable {
    var clauses: [String] = []
    var binds: [SQLValue] = []

    mutating func add(_ clause: String, _ values: SQLValue...) {
        clauses.append(clause)
        binds.append(contentsOf: values)
    }

    /// The tenant predicate of data-model.md §2.4, applied by the store on both engines.
    mutating func tenant(_ scope: TenantScope, column: String = "tenant_id") {
        switch scope {
        case .system: break
        case .single: clauses.append("\(column) IS NULL")
        case .tenant(let id): add("\(column) = ?", .text(id))
        }
    }

    mutating func anyOf(_ column: String, _ values: [String]) {
        guard !values.isEmpty else { return }
        clauses.append("\(column) IN (" + Array(repeating: "?", count: values.count).joined(separator: ",") + ")")
        binds.append(contentsOf: values.map(SQLValue.text))
    }

    /// Label equality filters, AND-ed. Keys are validated to `[A-Za-z0-9._/-]` before they get here.
    mutating func labels(_ labels: [String: String], dialect: SQLDialect, column: String = "labels") {
        guard !labels.isEmpty else { return }
        switch dialect {
        case .postgres:
            add("\(column) @> ?", .json(JSONText.encode(labels)))
        case .sqlite:
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                add("json_extract(\(column), ?) = ?", .text("$.\"\(key)\""), .text(value))
            }
        }
    }

    var sql: String { clauses.isEmpty ? "1=1" : clauses.joined(separator: " AND ") }
}

extension Store {
    /// Newest-first keyset paging over `table` with a total count (api.md §1.6).
    func keysetPage<Item: Encodable & Sendable>(
        _ db: any SQLExecutor, table: String, filter: SQLFilter, request: PageRequest,
        decode: (SQLRow) throws -> Item, cursorOf: (Item) -> Cursor
    ) async throws -> Page<Item> {
        var pageFilter = filter
        if let cursor = request.cursor {
            pageFilter.add("(created_at, id) < (?, ?)", .timestamp(cursor.createdAt), .text(cursor.id))
        }
        let rows = try await db.query(
            "SELECT * FROM \(table) WHERE \(pageFilter.sql) ORDER BY created_at DESC, id DESC LIMIT \(request.limit + 1)",
            pageFilter.binds)
        var items = try rows.prefix(request.limit).map(decode)
        let hasMore = rows.count > request.limit
        let total: Int64
        if request.cursor == nil && !hasMore {
            total = Int64(items.count)
        } else {
            total = try await db.first("SELECT COUNT(*) AS n FROM \(table) WHERE \(filter.sql)", filter.binds)?
                .int64("n") ?? 0
        }
        if items.count > request.limit { items.removeLast() }
        return Page(
            items: items, totalCount: total, hasMore: hasMore,
            nextCursor: hasMore ? items.last.map { cursorOf($0).encoded } : nil)
    }
}
