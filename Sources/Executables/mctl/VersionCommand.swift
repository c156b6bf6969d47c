import ArgumentParser
import Client

struct VersionCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the mctl version (and the server's with --server)."
    )

    @OptionGroup(title: "Global Options") var global: GlobalOptions

    func execute() async throws {
        Console.line("mctl version \(BuildInfo.version)")
        Console.line("commit \(BuildInfo.commit)")
        Console.line("build date \(BuildInfo.buildDate)")
        guard let server = global.server else { return }
        let publicURL = try MarionetteClient.normalize(baseURL: server)
        let adminURL = SettingsResolver.deriveAdminServer(publicURL)
        let candidates = adminURL == publicURL ? [publicURL] : [adminURL, publicURL]
        let found: String? = try await MarionetteClient.withHTTPClient(insecureSkipTLSVerify: global.insecureSkipTLSVerify) { http in
            var reachable = false
            for base in candidates {
                guard let client = try? MarionetteClient(baseURL: base, requestTimeout: 5, httpClient: http) else { continue }
                guard let health = try? await client.health() else { continue }
                reachable = true
                if let version = health["version"]?.stringValue, !version.isEmpty { return version }
            }
            return reachable ? "unknown" : nil
        }
        if let found {
            Console.line("server version \(found)")
        } else {
            Console.error("server \(publicURL) is not reachable")
        }
    }
}
