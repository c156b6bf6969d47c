/// Renders aligned text tables: columns separated by at least two spaces,
/// header row as given (callers pass capitals), no trailing spaces.
public enum TableRenderer {
    public static let padding = 2

    public static func render(headers: [String], rows: [[String]]) -> String {
        let columnCount = max(headers.count, rows.map(\.count).max() ?? 0)
        guard columnCount > 0 else { return "" }
        var widths = [Int](repeating: 0, count: columnCount)
        for row in [headers] + rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var out = ""
        for row in [headers] + rows {
            var line = ""
            for column in 0..<columnCount {
                let cell = column < row.count ? row[column] : ""
                line += cell
                if column < columnCount - 1 {
                    line += String(repeating: " ", count: widths[column] - cell.count + padding)
                }
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// `Field: value` lines, one per pair, in order.
    public static func fields(_ pairs: [(String, String)]) -> String {
        var out = ""
        for (name, rawValue) in pairs {
            var value = rawValue
            while value.last == "\n" || value.last == "\r\n" || value.last == "\r" { value.removeLast() }
            if value.contains("\n") {
                // Keep multi-line values readable: continuation lines are indented.
                let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
                out += name + ": " + lines[0] + "\n"
                for line in lines.dropFirst() { out += (line.isEmpty ? "" : "  " + line) + "\n" }
            } else {
                out += name + ": " + value + "\n"
            }
        }
        return out
    }
}
