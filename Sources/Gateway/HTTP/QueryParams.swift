import Core
import Foundation
import Hummingbird
import Orchestrator

/// Query parameters of list and log routes (api.md §1.6): repeated keys, `labels[k]=v`, paging.
struct QueryParams {
    let pairs: [(key: String, value: String)]

    init(_ request: Request) {
        pairs = request.uri.queryParameters.map { pair in
            let key = String(pair.key)
            return (key.removingPercentEncoding ?? key, String(pair.value))
        }
    }

    func first(_ name: String) -> String? { pairs.first { $0.key == name }?.value }

    func all(_ name: String) -> [String] { pairs.filter { $0.key == name }.map(\.value).filter { !$0.isEmpty } }

    func bool(_ name: String) throws(APIError) -> Bool {
        guard let value = first(name) else { return false }
        switch value.lowercased() {
        case "true", "1", "yes", "": return true
        case "false", "0", "no": return false
        default: throw .validation("\(name) must be true or false", field: name)
        }
    }

    func int64(_ name: String) throws(APIError) -> Int64? {
        guard let value = first(name), !value.isEmpty else { return nil }
        guard let n = Int64(value), n >= 0 else { throw .validation("\(name) must be a non-negative integer", field: name) }
        return n
    }

    /// `limit`: ≤ 0 or unparsable → default; larger than the maximum → clamped.
    func limit(default value: Int = 50, max: Int = 200) -> Int {
        guard let text = first("limit"), let n = Int(text), n > 0 else { return value }
        return Swift.min(n, max)
    }

    func page(defaultLimit: Int = 50, maxLimit: Int = 200) throws(APIError) -> PageRequest {
        var cursor: Cursor?
        if let text = first("cursor"), !text.isEmpty { cursor = try Cursor(encoded: text) }
        return PageRequest(limit: limit(default: defaultLimit, max: maxLimit), cursor: cursor)
    }

    /// `labels[key]=value` pairs, AND-ed.
    func labels() throws(APIError) -> [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in pairs where key.hasPrefix("labels[") && key.hasSuffix("]") {
            labels[String(key.dropFirst(7).dropLast())] = value
        }
        try Labels.validate(labels)
        return labels
    }

    /// Each value must be one of `allowed`; repeated (`status=a&status=b`) or comma-separated
    /// (`status=a,b`, as api.md writes "CSV").
    func enums(_ name: String, _ allowed: [String]) throws(APIError) -> [String] {
        let values = all(name).flatMap { $0.split(separator: ",").map(String.init) }
        for value in values where !allowed.contains(value) {
            throw .validation("\(name) must be one of \(allowed.joined(separator: ", ")), got \"\(value.prefix(40))\"", field: name)
        }
        return values
    }
}
