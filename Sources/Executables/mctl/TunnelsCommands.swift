import ArgumentParser
import Client

struct TunnelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunnels",
        abstract: "Open, list and close HTTP and TCP tunnels into a session's runner.",
        subcommands: [Create.self, List.self, Get.self, URL.self, Close.self, Connect.self],
        aliases: ["tunnel", "tun"]
    )

    static let types = ["http", "tcp"]
    static let hostHeaderModes = ["rewrite", "preserve"]
}

extension TunnelsCommand {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Open a tunnel to a port in the runner.")

        @Option(help: "Session ID.") var session: String
        @Option(help: "Port inside the runner (local_port).") var port: Int
        @Option(help: "http or tcp (default http).") var type: String?
        @Flag(help: "Anyone with the URL may use the tunnel (no token needed).") var `public` = false
        @Option(help: "Close the tunnel after this long (default 1h, at most 24h).") var ttl: String?
        @Option(name: .customLong("host-header"), help: "http: rewrite (Host: localhost:PORT, default) or preserve.") var hostHeader: String?
        @Option(name: .customLong("allow-cidr"), help: "tcp: source network allowed on the public port (repeat).") var allowCIDRs: [String] = []
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Labels k=v (comma-separated or repeated).") var labels: [String] = []
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535, got \(port)") }
            try requireOneOf(type, TunnelsCommand.types, flag: "--type")
            try requireOneOf(hostHeader, TunnelsCommand.hostHeaderModes, flag: "--host-header")
            if let seconds = try parseSeconds(ttl, flag: "--ttl"), seconds > 86_400 {
                throw ValidationError("--ttl must be at most 24h")
            }
            if hostHeader != nil, type == "tcp" { throw ValidationError("--host-header applies to http tunnels only") }
            if !allowCIDRs.isEmpty, type != "tcp" { throw ValidationError("--allow-cidr applies to tcp tunnels only (add --type tcp)") }
            _ = try parseLabels(labels)
        }

        func execute() async throws {
            var body = CreateTunnelRequest(localPort: port, type: type)
            body.isPublic = `public` ? true : nil
            body.ttlSeconds = try parseSeconds(ttl, flag: "--ttl")
            body.hostHeader = hostHeader
            body.allowCIDRs = allowCIDRs.isEmpty ? nil : CommaList.split(allowCIDRs)
            let parsedLabels = try parseLabels(labels)
            body.labels = parsedLabels.isEmpty ? nil : parsedLabels
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let tunnel = try await context.withAPI { client in
                try await notFound("session", session) { try await client.createTunnel(sessionID: session, body) }
            }
            guard context.printer.isTable else { return context.printer.raw(tunnel) }
            var pairs: [(String, String)] = [("ID", cell(tunnel, "id")), ("Type", cell(tunnel, "type"))]
            pairs.append(("URL", cell(tunnel, "public_url")))
            if let path = tunnel["path_url"]?.stringValue { pairs.append(("Path URL", path)) }
            if let subdomain = tunnel["subdomain_url"]?.stringValue { pairs.append(("Subdomain URL", subdomain)) }
            if let host = tunnel["public_host"]?.stringValue, let port = tunnel["public_port"]?.intValue {
                pairs.append(("TCP", "\(host):\(port)"))
            }
            pairs.append(("Expires", timeCell(tunnel, "expires_at")))
            Console.out(TableRenderer.fields(pairs))
            if let token = tunnel["token"]?.stringValue {
                Console.line("Token: \(token)")
                Console.line("Save this token; it will not be shown again.")
            }
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List a session's tunnels, or all tunnels.", aliases: ["ls"])

        @Argument(help: "Session ID (or --session); without one, every tunnel.") var sessionID: String?
        @Option(help: "Session ID.") var session: String?
        @Flag(name: .customLong("include-closed"), help: "Also list closed and expired tunnels.") var includeClosed = false
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            if let a = sessionID, let b = session, a != b {
                throw ValidationError("the session is given twice (\(a) and \(b)); pass one")
            }
        }

        func execute() async throws {
            let sid = sessionID ?? session
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { client in
                try await notFound("session", sid ?? "-") {
                    try await client.listTunnels(sessionID: sid, includeClosed: includeClosed, page: list.page, all: list.all)
                }
            }
            context.printer.list(envelope, view: Views.tunnel)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a tunnel.")

        @Argument(help: "Tunnel ID.") var tunnelID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let tunnel = try await context.withAPI { client in
                try await notFound("tunnel", tunnelID) { try await client.getTunnel(tunnelID) }
            }
            context.printer.object(tunnel, view: Views.tunnel)
        }
    }

    struct URL: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print one URL of a tunnel.")

        /// Each `--form` and the tunnel field holding its URL.
        static let forms = [("public", "public_url"), ("path", "path_url"), ("subdomain", "subdomain_url")]

        @Argument(help: "Tunnel ID.") var tunnelID: String
        @Option(help: "public (the server's url_mode, default), path or subdomain.") var form: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            try requireOneOf(form, Self.forms.map(\.0), flag: "--form")
        }

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let tunnel = try await context.withAPI { client in
                try await notFound("tunnel", tunnelID) { try await client.getTunnel(tunnelID) }
            }
            let field = Self.forms.first { $0.0 == (form ?? "public") }?.1 ?? "public_url"
            guard let url = tunnel[field]?.stringValue, !url.isEmpty else {
                throw CLIError("tunnel \(tunnelID) has no \(form ?? "public") URL (a \(cell(tunnel, "type")) tunnel)")
            }
            Console.line(url)
        }
    }

    struct Close: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a tunnel.")

        @Argument(help: "Tunnel ID.") var tunnelID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("tunnel", tunnelID) { try await client.closeTunnel(tunnelID) }
            }
            context.printer.message("Tunnel \(tunnelID) closed.")
        }
    }
}
