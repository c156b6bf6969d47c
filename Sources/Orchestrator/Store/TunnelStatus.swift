/// The derived `status` of a tunnel (api.md §12).
public enum TunnelStatus: String, Sendable, CaseIterable {
    case active, closed, expired
}
