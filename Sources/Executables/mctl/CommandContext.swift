import Client
import Foundation

/// Everything a command needs to reach the server: resolved settings, one
/// HTTP client (shut down before returning) and the output printer.
struct CommandContext {
    let global: GlobalOptions
    let requestTimeout: Double?
    let environment: [String: String]

    init(global: GlobalOptions, requestTimeout: Double?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.global = global
        self.requestTimeout = requestTimeout
        self.environment = environment
    }

    var printer: Printer { Printer(format: global.output) }

    var configPath: String {
        ConfigLocation.path(flag: global.config, environment: environment, homeDirectory: NSHomeDirectory())
    }

    func resolver() throws -> SettingsResolver {
        SettingsResolver(
            environment: environment,
            config: try CLIConfig.load(path: configPath),
            workingDirectory: FileManager.default.currentDirectoryPath,
            readFile: { path in
                guard let data = FileManager.default.contents(atPath: path) else { return nil }
                return String(decoding: data, as: UTF8.self)
            }
        )
    }

    var flags: SettingsResolver.Flags {
        get throws {
            SettingsResolver.Flags(
                server: global.server,
                apiKey: try readSecret(global.apiKey),
                context: global.context,
                insecureSkipTLSVerify: global.insecureSkipTLSVerify
            )
        }
    }

    /// Runs `body` with a client of the public API (authenticated with `credential` when given,
    /// else the API key).
    func withAPI<T: Sendable>(credential: Credential? = nil, _ body: (MarionetteClient) async throws -> T) async throws -> T {
        let connection = try resolver().resolveConnection(try flags)
        if let notice = connection.notice { Console.error("Note: " + notice) }
        return try await MarionetteClient.withHTTPClient(insecureSkipTLSVerify: connection.insecureSkipTLSVerify) { http in
            let client = try MarionetteClient(
                baseURL: connection.server,
                credential: credential ?? connection.apiKey.map(Credential.bearer) ?? .none,
                requestTimeout: requestTimeout,
                httpClient: http
            )
            return try await body(client)
        }
    }

    /// Runs `body` with a client of the admin API.
    func withAdmin<T: Sendable>(_ admin: AdminOptions, _ body: (MarionetteClient) async throws -> T) async throws -> T {
        let adminFlags = SettingsResolver.AdminFlags(
            adminServer: admin.adminServer,
            username: admin.adminUsername,
            password: try readSecret(admin.adminPassword),
            masterKey: try readSecret(admin.masterKey)
        )
        let resolved = try resolver().resolveAdmin(try flags, adminFlags)
        if let notice = resolved.notice { Console.error("Note: " + notice) }
        return try await MarionetteClient.withHTTPClient(insecureSkipTLSVerify: resolved.insecureSkipTLSVerify) { http in
            let client = try MarionetteClient(
                baseURL: resolved.server,
                credential: resolved.credential,
                requestTimeout: requestTimeout,
                httpClient: http
            )
            return try await body(client)
        }
    }
}

/// Resolves `@path` / `-` secret flag values.
func readSecret(_ value: String?) throws -> String? {
    guard let value else { return nil }
    return try SecretInput.resolve(value, readFile: Console.readFile, readStdin: Console.readStdin)
}
