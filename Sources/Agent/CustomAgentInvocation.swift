import Foundation

/// The argv, environment and stdin of a `custom` agent run (orchestration.md §4.5) from the agent
/// config's `extra`: `command` (a JSON array of strings, or words separated by spaces), `{prompt}`
/// substituted inside arguments (never through a shell), `prompt_via` `stdin` (default) or `arg`
/// (appended as the last argument when the template has no `{prompt}`), `env.<NAME>` variables,
/// `api_key_env` (the variable that receives the configured API key), `output` `auto` or `text`.
/// Pure.
public struct CustomAgentInvocation: Sendable, Equatable {
    public var arguments: [String]
    public var environment: [String: String]
    public var stdinText: String?
    public var plainText: Bool

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static func make(task: ExecutorTask) throws -> CustomAgentInvocation {
        let extra = task.agentSettings?.extra ?? [:]
        guard let template = extra["command"]?.trimmingCharacters(in: .whitespaces), !template.isEmpty else {
            throw Invalid(description: "custom agent: the agent config's extra.command is required")
        }
        var words: [String]
        if template.hasPrefix("[") {
            guard let array = (try? JSONSerialization.jsonObject(with: Data(template.utf8))) as? [String], !array.isEmpty else {
                throw Invalid(description: "custom agent: extra.command must be a JSON array of strings")
            }
            words = array
        } else {
            words = template.split(separator: " ").map(String.init)
        }
        let via = extra["prompt_via"] ?? "stdin"
        guard via == "stdin" || via == "arg" else {
            throw Invalid(description: "custom agent: extra.prompt_via must be stdin or arg, not \"\(via)\"")
        }
        let hasPlaceholder = words.contains { $0.contains("{prompt}") }
        words = words.map { $0.replacingOccurrences(of: "{prompt}", with: task.prompt) }
        if via == "arg", !hasPlaceholder { words.append(task.prompt) }

        var environment = task.environment
        for (key, value) in extra where key.hasPrefix("env.") { environment[String(key.dropFirst(4))] = value }
        if let variable = extra["api_key_env"], !variable.isEmpty, let key = task.agentSettings?.apiKey, !key.isEmpty {
            environment[variable] = key
        }
        let output = extra["output"] ?? "auto"
        guard output == "auto" || output == "text" else {
            throw Invalid(description: "custom agent: extra.output must be auto or text, not \"\(output)\"")
        }
        return CustomAgentInvocation(
            arguments: words, environment: environment, stdinText: via == "stdin" && !hasPlaceholder ? task.prompt : nil,
            plainText: output == "text")
    }
}
