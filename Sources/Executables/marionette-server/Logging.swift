import Core
import Foundation
import Logging

enum Logging {
    /// Console or JSON lines on stderr, at the configured level, with secret-named fields redacted.
    static func makeLogger(_ config: ServerConfig) -> Logger {
        let json = config.logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler = RedactingHandler(label: label, json: json)
            handler.logLevel = Logger.Level(configValue: config.logLevel)
            return handler
        }
        var logger = Logger(label: "marionette-server")
        logger.logLevel = Logger.Level(configValue: config.logLevel)
        return logger
    }
}

extension Logger.Level {
    init(configValue: String) {
        switch configValue {
        case "trace": self = .trace
        case "debug": self = .debug
        case "warn": self = .warning
        case "error": self = .error
        default: self = .info
        }
    }
}

/// Fields named like a secret (`*token*`, `*key*`, `*secret*`, `*password*`, `authorization`) are
/// replaced by `[redacted]` (auth-security.md §14).
struct RedactingHandler: LogHandler {
    let label: String
    let json: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        if k == "key_id" || k.hasSuffix("_id") { return false }
        return k.contains("token") || k.contains("key") || k.contains("secret") || k.contains("password")
            || k == "authorization"
    }

    func log(event: LogEvent) {
        var fields = self.metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var clean: [String: String] = [:]
        for (key, value) in fields { clean[key] = Self.isSecret(key) ? "[redacted]" : "\(value)" }
        let time = SystemWallClock().now().rfc3339
        let line: String
        if json {
            var object: [String: String] = clean
            object["time"] = time
            object["level"] = event.level.rawValue
            object["msg"] = "\(event.message)"
            object["logger"] = label
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            line = (try? String(decoding: encoder.encode(object), as: UTF8.self)) ?? "\(event.message)"
        } else {
            let extras = clean.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "\(time) \(event.level.rawValue.uppercased()) \(event.message)\(extras.isEmpty ? "" : " " + extras)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
