import Core
import Foundation
import Yams

/// Builds the effective configuration: built-in defaults < config file < `MARIONETTE_*`
/// environment < flags (cli.md §10.1). Secrets come only from the environment.
struct ConfigLoader {
    var environment: [String: String]

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The config file: `--config`, else `MARIONETTE_CONFIG`, else `configs/local.yaml` if present.
    func configPath(flag: String?) -> String? {
        if let flag { return flag }
        if let env = environment["MARIONETTE_CONFIG"], !env.isEmpty { return env }
        return FileManager.default.fileExists(atPath: "configs/local.yaml") ? "configs/local.yaml" : nil
    }

    func load(path: String?, warnings: inout [String]) throws -> ServerConfig {
        var config = ServerConfig()
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LoadError(description: "cannot read config file \(path)")
            }
            let node: Any?
            do {
                node = try Yams.load(yaml: String(decoding: data, as: UTF8.self))
            } catch {
                throw LoadError(description: "config file \(path) is not valid YAML: \(error)")
            }
            if let tree = node as? [String: Any] {
                for (key, value) in Self.flatten(tree) {
                    guard ServerConfig.keys.contains(key) || ModelPricing.isKey(key) else {
                        warnings.append("ignoring unknown config key \(key) in \(path)")
                        continue
                    }
                    try config.apply(key: key, value: value.scalar, values: value.list)
                }
            } else if node != nil {
                throw LoadError(description: "config file \(path) must be a YAML mapping")
            }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("MARIONETTE_") {
            if let key = ServerConfig.key(forEnvironmentName: name) {
                try config.apply(key: key, value: value)
            }
        }
        if let level = environment["MARIONETTE_LOGGING_LEVEL"] ?? environment["MARIONETTE_LOG_LEVEL"] {
            try config.apply(key: "logging.level", value: level)
        }
        config.databaseURL = environment["MARIONETTE_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        config.masterKey = environment["MARIONETTE_MASTER_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        config.encryptionKey = environment["MARIONETTE_ENCRYPTION_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        config.encryptionKeyID = environment["MARIONETTE_ENCRYPTION_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        config.encryptionKeyPrevious = environment["MARIONETTE_ENCRYPTION_KEY_PREVIOUS"].flatMap { $0.isEmpty ? nil : $0 }
        config.uiUsername = environment["MARIONETTE_UI_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        config.uiPassword = environment["MARIONETTE_UI_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        return config
    }

    struct Leaf {
        var scalar: String
        var list: [String]?
    }

    static func flatten(_ tree: [String: Any], prefix: String = "") -> [(String, Leaf)] {
        var out: [(String, Leaf)] = []
        for (key, value) in tree.sorted(by: { $0.key < $1.key }) {
            let path = prefix.isEmpty ? key : prefix + "." + key
            switch value {
            case let nested as [String: Any]:
                out.append(contentsOf: flatten(nested, prefix: path))
            case let list as [Any]:
                let items = list.map { "\($0)" }
                out.append((path, Leaf(scalar: items.joined(separator: ","), list: items)))
            default:
                out.append((path, Leaf(scalar: "\(value)")))
            }
        }
        return out
    }
}
