import ArgumentParser
import Client

/// A flag whose value is JSON: inline, `@file`, or `-` for standard input.
enum JSONArgument {
    enum Shape: String {
        case object, array
    }

    static func parse(_ value: String?, flag: String, shape: Shape, example: String) throws -> JSONValue? {
        guard let value else { return nil }
        let text = try SecretInput.resolve(value, readFile: Console.readFile, readStdin: Console.readStdin)
        let parsed = try? JSONParser.parse(text)
        let fits = shape == .object ? parsed?.objectValue != nil : parsed?.arrayValue != nil
        guard let parsed, fits else {
            let source = value == "-" ? "standard input" : value.hasPrefix("@") ? String(value.dropFirst()) : "the value"
            throw CLIError("\(flag) must be a JSON \(shape.rawValue) (\(source) is not), e.g. '\(example)'")
        }
        return parsed
    }
}

/// The global flags without `--config`: in `provider-configs create|update`, `--config` is the
/// provider's settings (cli.md). The CLI config file then comes from `MARIONETTE_CLI_CONFIG` or
/// the default path.
struct ProviderConfigGlobalOptions: ParsableArguments {
    @Option(name: [.customShort("s"), .customLong("server")], help: "Public API base URL (e.g. http://localhost:8080).")
    var server: String?
    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table
    @Option(name: .customLong("context"), help: "Named context of the CLI config file.") var context: String?
    @Flag(name: .customLong("insecure-skip-tls-verify"), help: "Skip TLS certificate verification.")
    var insecureSkipTLSVerify = false

    func global() throws -> GlobalOptions {
        try .from(server: server, output: output, context: context, insecureSkipTLSVerify: insecureSkipTLSVerify)
    }
}
