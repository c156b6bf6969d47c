import Core
import NIOCore

/// The SSRF guard of webhook URLs (api.md §14.2, auth-security.md §11-12): a host that resolves to
/// loopback, link-local, private or unique-local addresses is refused unless private targets are
/// allowed. Every resolved address must pass (a name with one public and one private address is
/// refused): the delivery then connects to the checked address, not to a second resolution.
public enum WebhookAddressPolicy {
    /// The always-blocked ranges, plus the unspecified and multicast ones a webhook never needs.
    public static let blocked: [CIDR] = [
        "169.254.169.254/32", "169.254.0.0/16", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
        "0.0.0.0/8", "100.64.0.0/10", "224.0.0.0/4", "::1/128", "::/128", "fe80::/10", "fc00::/7", "fd00::/8", "ff00::/8",
        "::ffff:0:0/96",
    ].compactMap { CIDR($0) }

    /// Nil when `address` may be called; else why not.
    public static func refusal(_ address: String, allowPrivate: Bool) -> String? {
        guard !allowPrivate else { return nil }
        guard let range = blocked.first(where: { $0.contains(address) }) else { return nil }
        return "\(address) is in \(range) (loopback, link-local or private); set webhooks.allow_private to allow it"
    }
}
