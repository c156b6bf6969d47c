/// An HTTP/1.x request or response head as the tunnel ingress sees it: the start line split in
/// three and the header fields in order, names and values as sent (values trimmed).
struct HTTPHead: Sendable, Equatable {
    /// Request: method, target, version. Response: version, status, reason (possibly empty).
    var startLine: (String, String, String)
    var headers: [(name: String, value: String)]

    static func == (a: HTTPHead, b: HTTPHead) -> Bool {
        a.startLine == b.startLine && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Values of a header (case-insensitive name).
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name }.map(\.value)
    }

    func first(_ name: String) -> String? { values(name).first }

    /// The distinct `Content-Length` values, list form included (`3, 3` is one value).
    var contentLengths: Set<String> {
        Set(values("content-length").flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIISpaces() })
    }

    /// Comma-separated tokens of a header such as `Connection`, lower-cased.
    func tokens(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIISpaces().lowercased() }.filter { !$0.isEmpty }
    }
}
