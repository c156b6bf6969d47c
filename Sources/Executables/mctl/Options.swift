import ArgumentParser
import Client

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, yaml
}

/// Flags every API command accepts (section 2 of the CLI spec), except `--timeout`.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("s"), .customLong("server")], help: "Public API base URL (e.g. http://localhost:8080).")
    var server: String?

    @Option(name: [.customShort("k"), .customLong("api-key")], help: "API key mk_… (@file or - for stdin).")
    var apiKey: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table

    @Option(name: .customLong("config"), help: "CLI config file.")
    var config: String?

    @Option(name: .customLong("context"), help: "Named context of the config file.")
    var context: String?

    @Flag(name: .customLong("insecure-skip-tls-verify"), help: "Skip TLS certificate verification.")
    var insecureSkipTLSVerify = false
}

extension GlobalOptions {
    /// The same values for commands that leave out a global flag whose name they use for
    /// something else (parsed, since argument types cannot be built by hand).
    static func from(
        server: String?, output: OutputFormat, config: String? = nil, context: String?, insecureSkipTLSVerify: Bool
    ) throws -> GlobalOptions {
        var arguments = ["--output", output.rawValue]
        if let server { arguments += ["--server", server] }
        if let config { arguments += ["--config", config] }
        if let context { arguments += ["--context", context] }
        if insecureSkipTLSVerify { arguments.append("--insecure-skip-tls-verify") }
        return try GlobalOptions.parse(arguments)
    }
}

/// `--timeout`: per-request timeout (not applied to follow streams).
struct RequestTimeoutOption: ParsableArguments {
    /// For commands whose `--timeout` means something else (a webhook's delivery timeout).
    static let defaultSeconds: Double = 60

    @Option(name: .customLong("timeout"), help: "Per-request timeout (90s, 15m, 1h, or seconds).")
    var timeout: String = "60s"

    func validate() throws {
        do {
            _ = try DurationParser.seconds(timeout)
        } catch {
            throw ValidationError(ErrorText.message(for: error))
        }
    }

    var seconds: Double {
        let value = (try? DurationParser.seconds(timeout)) ?? 60
        return value > 0 ? value : 60
    }
}

/// Admin endpoint and credentials (`mctl admin …`).
struct AdminOptions: ParsableArguments {
    @Option(name: .customLong("admin-server"), help: "Admin API URL (default: the server with :8080 replaced by :8081).")
    var adminServer: String?

    @Option(name: .customLong("admin-username"), help: "Admin Basic-auth user.")
    var adminUsername: String?

    @Option(name: .customLong("admin-password"), help: "Admin Basic-auth password (@file or - for stdin).")
    var adminPassword: String?

    @Option(name: .customLong("master-key"), help: "Admin Bearer credential (@file or - for stdin).")
    var masterKey: String?
}

/// `--limit`, `--cursor`, `--all` of list commands.
struct ListOptions: ParsableArguments {
    @Option(help: "Maximum number of items per page.")
    var limit: Int = 50

    @Option(help: "Continue from this cursor (next_cursor of a previous page).")
    var cursor: String?

    @Flag(help: "Follow next_cursor until every item is listed.")
    var all = false

    var page: PageRequest { PageRequest(limit: limit, cursor: cursor) }
}

/// Validates a value against a fixed set, for `validate()`.
func requireOneOf(_ value: String?, _ allowed: [String], flag: String) throws {
    guard let value else { return }
    guard allowed.contains(value) else {
        throw ValidationError("invalid value \"\(value)\" for \(flag): use one of \(allowed.joined(separator: ", "))")
    }
}

/// Parses label flags for `validate()`/`execute()`.
func parseLabels(_ values: [String]) throws -> [(String, String)] {
    do {
        return try LabelParser.parse(values)
    } catch {
        throw ValidationError(ErrorText.message(for: error))
    }
}

/// Parses an optional duration flag into whole seconds.
func parseSeconds(_ value: String?, flag: String) throws -> Int? {
    guard let value else { return nil }
    do {
        return try DurationParser.wholeSeconds(value)
    } catch {
        throw ValidationError("\(flag): \(ErrorText.message(for: error))")
    }
}
