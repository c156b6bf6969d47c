/// Shortens free text for table cells.
public enum TextTruncation {
    /// Longest cell before cutting: 37 characters plus `...`.
    public static let defaultLimit = 40

    /// `text` unchanged when it has at most `limit` characters, else its first
    /// `limit - 3` characters followed by `...`.
    public static func truncate(_ text: String, limit: Int = defaultLimit) -> String {
        guard text.count > limit else { return text }
        guard limit > 3 else { return String(text.prefix(limit)) }
        return String(text.prefix(limit - 3)) + "..."
    }

    /// Collapses line breaks and tabs to single spaces, then truncates.
    public static func cell(_ text: String, limit: Int = defaultLimit) -> String {
        truncate(singleLine(text), limit: limit)
    }

    /// Replaces every run of newlines, carriage returns and tabs with one space and trims the ends.
    public static func singleLine(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in text {
            if character == "\n" || character == "\r" || character == "\t" || character == "\r\n" {
                pendingSpace = true
                continue
            }
            if pendingSpace, !out.isEmpty, out.last != " " { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        return out.trimmingSpaces()
    }
}
