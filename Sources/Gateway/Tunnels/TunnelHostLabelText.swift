/// Host label spelling shared with the store (`TunnelHostLabel` in Orchestrator): lower-case,
/// `_` standing for `-`.
enum TunnelHostLabelText {
    static func normalize(_ label: Substring) -> String {
        String(label.lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
