/// Replaces every occurrence of the run's agent API key in uploaded log content with `[redacted]`
/// (auth-security.md §9): a CLI that echoes its environment must not put the key into the store.
/// Keys shorter than 8 characters are not searched for (they would redact ordinary text).
public struct SecretRedactor: Sendable {
    public static let marker = "[redacted]"
    let secrets: [String]

    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.utf8.count >= 8 }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacing(secret, with: Self.marker)
        }
        return out
    }
}
