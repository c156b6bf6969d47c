/// API key scopes (api.md §1.4): exact match, `resource:*`, or `*`. A key with no scopes has none.
public enum Scope {
    public static let all = "*"

    public static func grants(_ held: [String], _ required: String) -> Bool {
        for scope in held {
            if scope == all || scope == required { return true }
            if scope.hasSuffix(":*"), required.hasPrefix(scope.dropLast()) { return true }
        }
        return false
    }

    /// Every scope a key may be created with; `*` and `resource:*` cover the rest.
    public static let known: [String] = [
        "sessions:read", "sessions:write", "tasks:read", "tasks:write", "runners:read",
        "permissions:read", "permissions:write", "workspaces:read", "workspaces:write",
        "scheduled-tasks:read", "scheduled-tasks:write", "tunnels:read", "tunnels:write",
        "events:read", "streams:read", "streams:write",
    ]

    /// True for `*`, a known scope, or `<known resource>:*`.
    public static func isValid(_ scope: String) -> Bool {
        if scope == all || known.contains(scope) { return true }
        guard scope.hasSuffix(":*") else { return false }
        let resource = scope.dropLast(2)
        return known.contains { $0.hasPrefix(resource + ":") }
    }
}
