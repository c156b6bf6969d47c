import Core
import Foundation

/// Field rules shared by the services.
enum Validate {
    static func oneOf(_ value: String, _ allowed: [String], field: String) throws(APIError) {
        guard allowed.contains(value) else {
            throw .validation("\(field) must be one of \(allowed.joined(separator: ", ")), got \"\(value)\"", field: field)
        }
    }

    static func maxLength(_ value: String, _ limit: Int, field: String) throws(APIError) {
        guard value.count <= limit else { throw .validation("\(field) must be at most \(limit) characters", field: field) }
    }

    /// IANA zone names, validated against the system's time zone database.
    static func timezone(_ name: String) throws(APIError) {
        guard name.count <= 64, TimeZone(identifier: name) != nil else {
            throw .validation("schedule_timezone \"\(name)\" is not an IANA time zone name", field: "schedule_timezone")
        }
    }

    /// Agent names: the built-ins or a named custom agent known to runners.
    static func agent(_ name: String) throws(APIError) {
        guard (1...64).contains(name.utf8.count),
            name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 || $0 == 46 })
        else {
            throw .validation(
                "agent must be claude, codex, command, custom or a custom agent name of [a-z0-9._-], got \"\(name.prefix(64))\"",
                field: "agent")
        }
    }

    static func optionalID(_ value: String?, _ prefix: IDPrefix, field: String) throws(APIError) {
        guard let value else { return }
        guard ID.isValid(value, prefix: prefix) || (prefix == .profile && value.hasPrefix("prof_builtin_")) else {
            throw .validation("\(field) \"\(value.prefix(64))\" is not a valid \(prefix.rawValue)_ id", field: field)
        }
    }
}

/// Five-field cron expressions (minute hour day-of-month month day-of-week), no seconds.
public enum CronExpression {
    static let ranges: [(String, ClosedRange<Int>)] = [
        ("minute", 0...59), ("hour", 0...23), ("day-of-month", 1...31), ("month", 1...12), ("day-of-week", 0...7),
    ]
    static let names: [[String]] = [
        [], [], [], ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
        ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    ]

    /// nil when valid, else what is wrong.
    public static func problem(_ expression: String) -> String? {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else { return "expected 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)" }
        for (index, field) in fields.enumerated() {
            let (label, range) = ranges[index]
            for part in field.split(separator: ",", omittingEmptySubsequences: false) {
                var body = Substring(part)
                if let slash = part.firstIndex(of: "/") {
                    guard let step = Int(part[part.index(after: slash)...]), step > 0 else {
                        return "\(label) field \"\(field)\" has a bad step"
                    }
                    body = part[..<slash]
                }
                if body == "*" { continue }
                let bounds = body.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count == 1 || bounds.count == 2 else { return "\(label) field \"\(field)\" is malformed" }
                var values: [Int] = []
                for bound in bounds {
                    if let n = Int(bound) {
                        values.append(n)
                    } else if let n = names[index].firstIndex(of: bound.uppercased()) {
                        values.append(index == 3 ? n + 1 : n)
                    } else {
                        return "\(label) field \"\(field)\" has a bad value \"\(bound)\""
                    }
                }
                guard values.allSatisfy(range.contains) else {
                    return "\(label) field \"\(field)\" is outside \(range.lowerBound)-\(range.upperBound)"
                }
                if values.count == 2 && values[0] > values[1] { return "\(label) range \"\(body)\" is reversed" }
            }
        }
        return nil
    }
}
