/// The DNS-safe host label of a tunnel: `tun-` + the lower-cased id suffix (api.md §9.2).
public enum TunnelHostLabel {
    public static func label(forID id: String) -> String {
        guard id.hasPrefix("tun_") else { return id.lowercased() }
        return "tun-" + id.dropFirst(4).lowercased()
    }

    /// The label a request's host names, matched case-insensitively, `_` standing for `-` too.
    public static func normalize(_ hostLabel: Substring) -> String {
        String(hostLabel.lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
