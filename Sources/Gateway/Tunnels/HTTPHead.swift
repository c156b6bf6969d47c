/// An HTTP/1.x request or response head as the tunnel ingress sees it: the start line split in
/// three and the header fields in order, names and values as sent (values trimmed).
struct HTTPHead: Sendable, Equatable {
    /// Request: method, target, version. Response: version, status, reason (possibly empty).
    let startLine: (String, String, String)
    /// Constant, like `keys`, which must stay in step with it.
    let headers: [(name: String, value: String)]
    /// The header names lower-cased, same order as `headers` (looked up on every request).
    let keys: [String]

    /// `keys[i]` must be `headers[i].name` lower-cased.
    init(startLine: (String, String, String), headers: [(name: String, value: String)], keys: [String]) {
        self.startLine = startLine
        self.headers = headers
        self.keys = keys
    }

    static func == (a: HTTPHead, b: HTTPHead) -> Bool {
        a.startLine == b.startLine && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Values of a header (`name` lower-case).
    func values(_ name: String) -> [String] {
        var found: [String] = []
        for index in keys.indices where keys[index] == name { found.append(headers[index].value) }
        return found
    }

    func first(_ name: String) -> String? { keys.firstIndex(of: name).map { headers[$0].value } }

    /// The distinct `Content-Length` values in order, list form included (`3, 3` is one value).
    var contentLengths: [String] {
        var lengths: [String] = []
        for value in values("content-length") {
            for part in value.utf8.split(separator: UInt8(ascii: ",")) {
                let length = Substring(part).trimmingASCIISpaces()
                if !lengths.contains(length) { lengths.append(length) }
            }
        }
        return lengths
    }

    /// Comma-separated tokens of a header such as `Connection`, lower-cased.
    func tokens(_ name: String) -> [String] {
        var tokens: [String] = []
        for value in values(name) {
            for part in value.utf8.split(separator: UInt8(ascii: ",")) {
                let token = Substring(part).trimmingASCIISpaces()
                if !token.isEmpty { tokens.append(token.asciiLowercased()) }
            }
        }
        return tokens
    }
}
