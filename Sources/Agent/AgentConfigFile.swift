import Foundation
import Yams

/// The agent's YAML config file (`--config PATH`, orchestration.md §3.1), flattened to dotted
/// keys (`server.address`, `runner.labels.gpu`, …) for `AgentConfiguration.resolve`.
public enum AgentConfigFile {
    public static func load(path: String) throws -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AgentConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        return try parse(text)
    }

    public static func parse(_ yaml: String) throws -> [String: String] {
        let node: Any?
        do {
            node = try Yams.load(yaml: yaml)
        } catch {
            throw AgentConfigurationError("invalid config file: \(error)")
        }
        guard let node else { return [:] }
        guard let root = node as? [String: Any] else {
            throw AgentConfigurationError("invalid config file: the top level must be a mapping")
        }
        var result: [String: String] = [:]
        flatten(root, prefix: "", into: &result)
        return result
    }

    private static func flatten(_ map: [String: Any], prefix: String, into result: inout [String: String]) {
        for (key, value) in map {
            let path = prefix.isEmpty ? key : prefix + "." + key
            switch value {
            case let nested as [String: Any]: flatten(nested, prefix: path, into: &result)
            case let list as [Any]: result[path] = list.map { "\($0)" }.joined(separator: ",")
            default: result[path] = "\(value)"
            }
        }
    }
}
