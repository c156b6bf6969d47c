import Core
import Foundation
import Logging

/// The agent's own log output (`--log-level`, `--log-format json|console`) on stderr. Metadata
/// fields named like secrets are replaced by `[redacted]`; the runner token is never logged.
public enum AgentLogging {
    /// Installs the handler (once per process) and returns the root logger.
    public static func bootstrap(level: String, format: String) -> Logger {
        let logLevel = Logger.Level(agentValue: level)
        let json = format != "console"
        LoggingSystem.bootstrap { label in
            var handler = AgentLogHandler(label: label, json: json)
            handler.logLevel = logLevel
            return handler
        }
        var logger = Logger(label: "marionette-agent")
        logger.logLevel = logLevel
        return logger
    }
}

extension Logger.Level {
    init(agentValue: String) {
        switch agentValue.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "warn", "warning": self = .warning
        case "error": self = .error
        default: self = .info
        }
    }
}

/// JSON lines or console lines on stderr.
public struct AgentLogHandler: LogHandler {
    public let label: String
    public let json: Bool
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String, json: Bool) {
        self.label = label
        self.json = json
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public static func isSecret(_ key: String) -> Bool {
        let lower = key.lowercased()
        if lower.hasSuffix("_id") { return false }
        return lower.contains("token") || lower.contains("key") || lower.contains("secret")
            || lower.contains("password") || lower == "authorization"
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var fields = metadata
        if let explicit = event.metadata { fields.merge(explicit) { $1 } }
        if let error = event.error { fields["error"] = "\(error)" }
        var clean: [String: String] = [:]
        for (key, value) in fields { clean[key] = Self.isSecret(key) ? "[redacted]" : "\(value)" }
        let time = SystemWallClock().now().rfc3339
        let text: String
        if json {
            var object = clean
            object["time"] = time
            object["level"] = level.rawValue
            object["msg"] = "\(message)"
            object["logger"] = label
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            text = (try? String(decoding: encoder.encode(object), as: UTF8.self)) ?? "\(message)"
        } else {
            let extras = clean.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            text = "\(time) \(level.rawValue.uppercased()) \(message)\(extras.isEmpty ? "" : " " + extras)"
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
