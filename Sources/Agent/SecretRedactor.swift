import CShims

/// Replaces every occurrence of the run's agent API key in uploaded log content with `[redacted]`
/// (auth-security.md §9): a CLI that echoes its environment must not put the key into the store.
/// Keys shorter than 8 bytes are not searched for (they would redact ordinary text). The keys are
/// read in place from their ``AgentSecret``s (no copy kept here), with `memmem` over the UTF-8.
public struct SecretRedactor: Sendable {
    public static let marker = "[redacted]"
    static let minimumLength = 8
    let secrets: [AgentSecret]

    public init(secrets: [AgentSecret]) {
        self.secrets = secrets
    }

    /// For tests and callers holding plain strings.
    public init(secrets: [String]) {
        self.init(secrets: secrets.map(AgentSecret.init))
    }

    /// Nothing to search for (no key, only short ones, or all wiped).
    public var isEmpty: Bool { secrets.allSatisfy { $0.byteCount < Self.minimumLength } }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets {
            if let replaced = secret.withBytes({ Self.replacing($0, in: &out) }) { out = replaced }
        }
        return out
    }

    /// `text` with every occurrence of `key` replaced by the marker, or nil when it holds none.
    static func replacing(_ key: UnsafeRawBufferPointer, in text: inout String) -> String? {
        guard key.count >= minimumLength, let needle = key.baseAddress else { return nil }
        return text.withUTF8 { haystack -> String? in
            guard let base = haystack.baseAddress,
                var match = mshim_memmem(base, haystack.count, needle, key.count)
            else { return nil }
            var result: [UInt8] = []
            result.reserveCapacity(haystack.count)
            var offset = 0
            while true {
                let index = UnsafeRawPointer(match) - UnsafeRawPointer(base)
                result.append(contentsOf: haystack[offset..<index])
                result.append(contentsOf: marker.utf8)
                offset = index + key.count
                guard let next = mshim_memmem(base + offset, haystack.count - offset, needle, key.count) else { break }
                match = next
            }
            result.append(contentsOf: haystack[offset...])
            return String(decoding: result, as: UTF8.self)
        }
    }
}
