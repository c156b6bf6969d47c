/// Where the CLI config file lives: `--config` > `MARIONETTE_CLI_CONFIG` >
/// `$XDG_CONFIG_HOME/marionette/config.yaml` > `~/.config/marionette/config.yaml`.
public enum ConfigLocation {
    public static func path(flag: String?, environment: [String: String], homeDirectory: String) -> String {
        if let flag = nonEmpty(flag) { return expandTilde(flag, home: homeDirectory) }
        if let fromEnv = nonEmpty(environment["MARIONETTE_CLI_CONFIG"]) { return expandTilde(fromEnv, home: homeDirectory) }
        if let xdg = nonEmpty(environment["XDG_CONFIG_HOME"]) {
            return trimTrailingSlash(expandTilde(xdg, home: homeDirectory)) + "/marionette/config.yaml"
        }
        let home = nonEmpty(environment["HOME"]) ?? homeDirectory
        return trimTrailingSlash(home) + "/.config/marionette/config.yaml"
    }

    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return trimTrailingSlash(home) + String(path.dropFirst()) }
        return path
    }

    static func trimTrailingSlash(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

/// `nil` for `nil`, empty or all-blank strings.
func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.trimmingSpaces().isEmpty else { return nil }
    return value
}
