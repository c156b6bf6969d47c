import Foundation

/// Human relative times for table columns: `just now`, `5 minutes ago`,
/// `3 hours ago`, `12 days ago`, else `YYYY-MM-DD`. Future times read `in 5 minutes`.
public enum RelativeTime {
    public static func format(_ date: Date, now: Date = Date(), timeZone: TimeZone = .current) -> String {
        let delta = now.timeIntervalSince(date)
        let magnitude = abs(delta)
        if magnitude < 60 { return "just now" }
        let phrase: String
        if magnitude < 3600 {
            phrase = unit(Int(magnitude / 60), "minute")
        } else if magnitude < 86_400 {
            phrase = unit(Int(magnitude / 3600), "hour")
        } else if magnitude < 30 * 86_400 {
            phrase = unit(Int(magnitude / 86_400), "day")
        } else {
            return Timestamp.calendarDate(date, timeZone: timeZone)
        }
        return delta >= 0 ? phrase + " ago" : "in " + phrase
    }

    /// Formats an RFC 3339 string; returns the input unchanged when it does not parse.
    public static func format(timestamp: String, now: Date = Date(), timeZone: TimeZone = .current) -> String {
        guard let date = Timestamp.parse(timestamp) else { return timestamp }
        return format(date, now: now, timeZone: timeZone)
    }

    private static func unit(_ count: Int, _ name: String) -> String {
        "\(count) \(name)\(count == 1 ? "" : "s")"
    }
}
