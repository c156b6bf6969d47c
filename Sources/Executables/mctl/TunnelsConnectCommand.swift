import ArgumentParser
import Client

extension TunnelsCommand {
    /// `mctl tunnels connect TUNNEL_ID` (cli.md §7): forwards a local port to the tunnel's port in
    /// the runner, one WebSocket per accepted connection, until interrupted.
    struct Connect: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "connect",
            abstract: "Forward a local TCP port to the tunnel's port in the runner (until Ctrl-C).")

        @Argument(help: "Tunnel ID.") var tunnelID: String
        @Option(name: .customLong("local-port"), help: "Local port to listen on (default: the tunnel's local_port; 0 picks a free one).")
        var localPort: Int?
        @Option(help: "Local address to listen on.") var bind = "127.0.0.1"
        @Option(help: "The tunnel's ttok_ token (default: the API key).") var token: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            if let localPort, !(0...65535).contains(localPort) {
                throw ValidationError("--local-port must be 0 to 65535, got \(localPort)")
            }
            if let token, !token.hasPrefix("ttok_") { throw ValidationError("--token must be a ttok_ tunnel token") }
        }

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let connection = try context.resolver().resolveConnection(try context.flags)
            guard let credential = token ?? connection.apiKey else {
                throw CLIError("no credential: pass --token ttok_… or configure an API key")
            }
            let port = try await context.withAPI(credential: .bearer(credential)) { client -> Int in
                // The checks the WebSocket meets, before listening: a missing tunnel fails here.
                try await notFound("tunnel", tunnelID) { try await client.checkTunnelConnect(tunnelID) }
                if let localPort { return localPort }
                guard token == nil else {
                    throw CLIError("--local-port is required with --token (the tunnel's local_port needs an API key to read)")
                }
                let tunnel = try await notFound("tunnel", tunnelID) { try await client.getTunnel(tunnelID) }
                guard let port = tunnel["local_port"]?.intValue else { throw CLIError("the tunnel has no local_port") }
                return port
            }
            let forwarder: TunnelForwarder
            let listener: TunnelForwarder.Listener
            do {
                forwarder = try TunnelForwarder(
                    baseURL: connection.server, tunnelID: tunnelID, credential: credential,
                    insecureSkipTLSVerify: connection.insecureSkipTLSVerify, report: { Console.error($0) })
                listener = try await TunnelForwarder.listen(host: bind, port: port)
            } catch let error as TunnelForwarderError {
                throw CLIError(error.description)
            }
            let bound = listener.localAddress?.port ?? port
            Console.line("Forwarding \(bind):\(bound) -> \(tunnelID)")
            try await forwarder.serve(listener)
        }
    }
}
