import Core

/// The `suspend_config` object of a provider config (data-model.md §3.1): `{strategy,
/// min_duration, max_duration, fallback, save_snapshot, sync_workspace}`, every field optional
/// (unset fields take the provider's defaults). Unknown fields are refused, so a typo is not
/// silently ignored.
enum SuspendConfigRules {
    static let strategies = ["pause", "snapshot", "terminate_preserve_storage", "release_to_pool", "terminate"]
    static let fields = ["strategy", "min_duration", "max_duration", "fallback", "save_snapshot", "sync_workspace"]

    static func validate(_ config: [String: JSONAnyValue]) throws(APIError) {
        for key in config.keys.sorted() where !fields.contains(key) {
            throw .validation(
                "suspend_config has no field \"\(key.prefix(64))\"; it takes \(fields.joined(separator: ", "))", field: "suspend_config")
        }
        for key in ["strategy", "fallback"] {
            guard let value = config[key] else { continue }
            guard case .string(let name) = value, strategies.contains(name) else {
                throw .validation(
                    "suspend_config.\(key) must be one of \(strategies.joined(separator: ", "))", field: "suspend_config.\(key)")
            }
        }
        for key in ["save_snapshot", "sync_workspace"] {
            guard let value = config[key] else { continue }
            guard case .bool = value else { throw .validation("suspend_config.\(key) must be true or false", field: "suspend_config.\(key)") }
        }
        var bounds: [String: Double] = [:]
        for key in ["min_duration", "max_duration"] {
            guard let value = config[key] else { continue }
            guard let seconds = seconds(value) else {
                throw .validation(
                    "suspend_config.\(key) must be seconds (a number ≥ 0) or a duration such as \"30s\", \"15m\", \"1h30m\"",
                    field: "suspend_config.\(key)")
            }
            bounds[key] = seconds
        }
        if let low = bounds["min_duration"], let high = bounds["max_duration"], low > high {
            throw .validation("suspend_config.min_duration is longer than max_duration", field: "suspend_config.min_duration")
        }
    }

    /// A duration in seconds: a non-negative number, or units `ms`, `s`, `m`, `h` in sequence.
    static func seconds(_ value: JSONAnyValue) -> Double? {
        switch value {
        case .int(let number): return number >= 0 ? Double(number) : nil
        case .double(let number): return number >= 0 && number.isFinite ? number : nil
        case .string(let text): return seconds(text)
        default: return nil
        }
    }

    static func seconds(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var total = 0.0
        var rest = Substring(text)
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += number / 1000
            case "s": total += number
            case "m": total += number * 60
            case "h": total += number * 3600
            default: return nil
            }
        }
        return total
    }
}
