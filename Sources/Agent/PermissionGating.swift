/// Runner-side permission gating rules (auth-security.md §13): which tool calls need an answer,
/// how risky they are, and the one-line summary an approver sees. Pure.
public enum PermissionGating {
    /// Known read-only tools: allowed at once.
    static let readOnly: Set<String> = ["Read", "Glob", "Grep", "LSP", "ToolSearch", "CronList"]

    public static func isGated(tool: String) -> Bool {
        !readOnly.contains(tool)
    }

    /// `Bash` critical; file writers high; `WebFetch` medium; read-only tools low; unknown and
    /// MCP tools medium.
    public static func risk(tool: String) -> String {
        switch tool {
        case "Bash": "critical"
        case "Write", "Edit", "MultiEdit", "NotebookEdit": "high"
        case "WebFetch", "WebSearch": "medium"
        case _ where readOnly.contains(tool): "low"
        default: "medium"
        }
    }

    /// The action summary: the command, path or URL the call acts on, else the input JSON (both
    /// cut to 1,000 characters).
    public static func action(tool: String, fields: [String: String], inputJSON: String) -> String {
        let keys = ["command", "file_path", "notebook_path", "url", "path", "pattern", "query", "description", "prompt"]
        for key in keys {
            if let value = fields[key], !value.isEmpty { return String(value.prefix(1000)) }
        }
        return String(inputJSON.prefix(1000))
    }
}
