#if canImport(Glibc)
import Glibc
#endif

/// `HOST:PORT` of the server's gRPC fabric listener (`--server`, `MARIONETTE_SERVER_ADDRESS`).
///
/// Accepts `host:port`, `[v6]:port`, a bare host (port 9090) and, leniently, a leading
/// `http://`/`https://`/`grpc://` scheme and trailing `/`.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    public static let defaultPort = 9090

    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        var rest = Substring(text.trimmingWhitespace())
        for scheme in ["http://", "https://", "grpc://", "grpcs://", "dns:///"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty else { return nil }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            let host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard Self.isIPv6(String(host)) else { return nil }
            if after.isEmpty {
                self.init(host: String(host), port: Self.defaultPort)
            } else {
                guard after.hasPrefix(":"), let port = Int(after.dropFirst()), (1...65535).contains(port) else {
                    return nil
                }
                self.init(host: String(host), port: port)
            }
            return
        }
        let colons = rest.filter { $0 == ":" }.count
        if colons == 0 {
            guard Self.isHostName(String(rest)) else { return nil }
            self.init(host: String(rest), port: Self.defaultPort)
        } else if colons == 1 {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard !parts[0].isEmpty, Self.isHostName(String(parts[0])), let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            self.init(host: String(parts[0]), port: port)
        } else {
            // A bare IPv6 address without brackets.
            guard Self.isIPv6(String(rest)) else { return nil }
            self.init(host: String(rest), port: Self.defaultPort)
        }
    }

    public var isIPv6Literal: Bool { Self.isIPv6(host) }

    public var isIPv4Literal: Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// Letters, digits, `-`, `.` and `_` (DNS names and IPv4 literals).
    static func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
    }

    /// `localhost`, `127.0.0.0/8` and `::1` (runner-protocol.md §1: h2c only on loopback).
    public var isLoopback: Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower.hasSuffix(".localhost") || lower == "::1" || lower == "0:0:0:0:0:0:0:1" {
            return true
        }
        let octets = lower.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The same host with another port (the data connection, §10).
    public func with(port: Int) -> ServerAddress { ServerAddress(host: host, port: port) }

    public var description: String { isIPv6Literal ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
