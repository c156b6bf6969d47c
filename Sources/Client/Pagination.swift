/// `limit` / `cursor` of a list request.
public struct PageRequest: Sendable, Equatable {
    public var limit: Int?
    public var cursor: String?

    public init(limit: Int? = nil, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    public var queryItems: [QueryItem] {
        var items: [QueryItem] = []
        if let limit { items.append(QueryItem("limit", String(limit))) }
        if let cursor, !cursor.isEmpty { items.append(QueryItem("cursor", cursor)) }
        return items
    }
}

/// Reading the list envelope `{items, total_count, has_more, next_cursor}`.
public enum ListEnvelope {
    public static func items(_ envelope: JSONValue) -> [JSONValue] { envelope["items"]?.arrayValue ?? [] }

    public static func hasMore(_ envelope: JSONValue) -> Bool {
        if let hasMore = envelope["has_more"]?.boolValue { return hasMore }
        return !(nextCursor(envelope) ?? "").isEmpty
    }

    public static func nextCursor(_ envelope: JSONValue) -> String? {
        guard let cursor = envelope["next_cursor"]?.stringValue, !cursor.isEmpty else { return nil }
        return cursor
    }

    /// One envelope holding the items of all pages; `total_count` from the
    /// last page, `has_more` false, no `next_cursor`.
    public static func merge(_ pages: [JSONValue]) -> JSONValue {
        var items: [JSONValue] = []
        for page in pages { items += self.items(page) }
        var object = JSONObject()
        object["items"] = .array(items)
        object["total_count"] = pages.last?["total_count"] ?? .int(items.count)
        object["has_more"] = .bool(false)
        return .object(object)
    }
}

/// Public API label filters: `labels[<key>]=<value>`, one per pair.
public func labelQueryItems(_ labels: [(String, String)]) -> [QueryItem] {
    labels.map { QueryItem("labels[\($0.0)]", $0.1) }
}

extension MarionetteClient {
    /// One page of a list endpoint.
    public func list(_ path: String, query: [QueryItem] = [], page: PageRequest = PageRequest()) async throws -> JSONValue {
        try await sendExpectingBody(.GET, path, query: query + page.queryItems)
    }

    /// Follows `next_cursor` from `page.cursor` until `has_more` is false and
    /// returns one merged envelope (at most `maxPages` pages).
    public func listAll(
        _ path: String,
        query: [QueryItem] = [],
        page: PageRequest = PageRequest(),
        maxPages: Int = 10_000
    ) async throws -> JSONValue {
        var pages: [JSONValue] = []
        var cursor = page.cursor
        var seen: Set<String> = []
        while pages.count < maxPages {
            let envelope = try await list(path, query: query, page: PageRequest(limit: page.limit, cursor: cursor))
            pages.append(envelope)
            guard ListEnvelope.hasMore(envelope), let next = ListEnvelope.nextCursor(envelope), seen.insert(next).inserted
            else { break }
            cursor = next
        }
        return ListEnvelope.merge(pages)
    }
}
