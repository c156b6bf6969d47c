import ArgumentParser
import Client

struct StreamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams",
        abstract: "Create, watch and stop live streams of a session.",
        subcommands: [Create.self, List.self, Get.self, Stop.self, View.self, Token.self, Stats.self],
        aliases: ["stream"]
    )

    static let types = ["testsrc", "desktop", "android", "webrtc"]
    static let codecs = ["vp8", "vp9", "h264"]
    static let states = ["pending", "starting", "active", "paused", "stopping", "stopped", "failed"]

    /// The session from the positional argument or `--session` (cli.md §8 accepts either form).
    static func session(_ positional: String?, _ flag: String?) throws -> String {
        switch (positional, flag) {
        case (let a?, let b?) where a != b:
            throw ValidationError("the session is given twice (\(a) and \(b)); pass one")
        case (let id?, _), (nil, let id?): return id
        case (nil, nil): throw ValidationError("a session is required: mctl streams ... SESSION_ID or --session ID")
        }
    }
}

extension StreamsCommand {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a stream on a session.")

        @Argument(help: "Session ID (or --session).") var sessionID: String?
        @Option(help: "Session ID.") var session: String?
        @Option(help: "testsrc, desktop, android or webrtc (default desktop).") var type: String?
        @Option(help: "Frame width.") var width: Int?
        @Option(help: "Frame height.") var height: Int?
        @Option(name: .customLong("max-size"), help: "android: longest side.") var maxSize: Int?
        @Option(help: "Frames per second.") var fps: Int?
        @Option(name: [.customLong("bitrate-kbps"), .customLong("bitrate")], help: "Video bitrate in kbit/s.") var bitrateKbps: Int?
        @Option(help: "Video codec: vp8, vp9 (desktop, testsrc) or h264 (android).") var codec: String?
        @Flag(help: "Capture audio (Opus).") var audio = false
        @Flag(name: .customLong("no-input"), help: "View only: no keyboard, mouse or touch input.") var noInput = false
        @Option(help: "desktop: X display, e.g. :99.") var display: String?
        @Flag(inversion: .prefixedNo, help: "desktop: start Xvfb when the display does not exist.") var xvfb: Bool?
        @Option(name: [.customLong("serial"), .customLong("device")], help: "android: adb serial.") var serial: String?
        @Option(help: "Stop the stream after this long (e.g. 30m; default: until stopped).") var ttl: String?
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Labels k=v (comma-separated or repeated).") var labels: [String] = []
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            _ = try StreamsCommand.session(sessionID, session)
            try requireOneOf(type, StreamsCommand.types, flag: "--type")
            try requireOneOf(codec, StreamsCommand.codecs, flag: "--codec")
            _ = try parseLabels(labels)
            _ = try parseSeconds(ttl, flag: "--ttl")
        }

        func execute() async throws {
            let sid = try StreamsCommand.session(sessionID, session)
            var body = CreateStreamRequest(type: type)
            body.width = width
            body.height = height
            body.maxSize = maxSize
            body.fps = fps
            body.bitrateKbps = bitrateKbps
            body.videoCodec = codec
            body.audio = audio ? true : nil
            body.input = noInput ? false : nil
            body.display = display
            body.xvfb = xvfb
            body.serial = serial
            body.ttlSeconds = try parseSeconds(ttl, flag: "--ttl")
            let parsedLabels = try parseLabels(labels)
            body.labels = parsedLabels.isEmpty ? nil : parsedLabels
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let (stream, server) = try await context.withAPI { client in
                (try await notFound("session", sid) { try await client.createStream(sessionID: sid, body) }, client.baseURL)
            }
            guard context.printer.isTable else { return context.printer.raw(stream) }
            var pairs: [(String, String)] = [("ID", cell(stream, "id")), ("State", cell(stream, "state"))]
            if let id = stream["id"]?.stringValue, let token = stream["viewer_token"]?.stringValue {
                pairs.append(("Viewer URL", StreamLinks.viewerURL(server: server, streamID: id, token: token)))
            }
            pairs.append(("WHEP URL", stream["whep_url"]?.stringValue ?? "-"))
            if let whip = stream["whip_url"]?.stringValue { pairs.append(("WHIP URL", whip)) }
            if let publish = stream["publish_token"]?.stringValue { pairs.append(("Publish token", publish)) }
            Console.out(TableRenderer.fields(pairs))
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a session's streams.", aliases: ["ls"])

        @Argument(help: "Session ID (or --session).") var sessionID: String?
        @Option(help: "Session ID.") var session: String?
        @Option(help: "Filter by state (comma-separated or repeated).") var state: [String] = []
        @Option(help: "Filter by type (comma-separated or repeated).") var type: [String] = []
        @Flag(name: .customLong("include-stopped"), help: "Also list stopped streams.") var includeStopped = false
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            _ = try StreamsCommand.session(sessionID, session)
            for value in CommaList.split(state) { try requireOneOf(value, StreamsCommand.states, flag: "--state") }
            for value in CommaList.split(type) { try requireOneOf(value, StreamsCommand.types, flag: "--type") }
        }

        func execute() async throws {
            let sid = try StreamsCommand.session(sessionID, session)
            var filter = StreamListFilter()
            filter.states = CommaList.split(state)
            filter.types = CommaList.split(type)
            filter.includeStopped = includeStopped
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { client in
                try await notFound("session", sid) { try await client.listStreams(sessionID: sid, filter, page: list.page, all: list.all) }
            }
            context.printer.list(envelope, view: Views.stream)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a stream.")

        @Argument(help: "Stream ID.") var streamID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let stream = try await context.withAPI { client in
                try await notFound("stream", streamID) { try await client.getStream(streamID) }
            }
            context.printer.object(stream, view: Views.stream)
        }
    }

    struct Stats: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "Show a stream's live SFU counters (--watch refreshes every 2 s).")

        @Argument(help: "Stream ID.") var streamID: String
        @Flag(help: "Print the counters again every 2 seconds until interrupted.") var watch = false
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                var first = true
                repeat {
                    if !first { try await Task.sleep(for: .seconds(2)) }
                    let stats = try await notFound("stream", streamID) { try await client.streamStats(streamID) }
                    if watch {
                        // One record per refresh: a blank line between tables, NDJSON in json mode.
                        if context.printer.isTable {
                            if !first { Console.line("") }
                            context.printer.object(stats, view: Views.streamStats)
                        } else {
                            context.printer.record(stats)
                        }
                    } else {
                        context.printer.object(stats, view: Views.streamStats)
                    }
                    first = false
                } while watch
            }
        }
    }

    struct Stop: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a stream.")

        @Argument(help: "Stream ID.") var streamID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("stream", streamID) { try await client.stopStream(streamID) }
            }
            context.printer.message("Stream \(streamID) stopped.")
        }
    }

    struct View: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "view", abstract: "Mint a token and print the stream's viewer page URL.")

        @Argument(help: "Stream ID.") var streamID: String
        @Flag(name: .customLong("view-only"), help: "Mint a view token (no input) instead of a control token.") var viewOnly = false
        @Option(help: "Token lifetime (default 1h, at most 24h).") var ttl: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws { _ = try parseSeconds(ttl, flag: "--ttl") }

        func execute() async throws {
            let seconds = try parseSeconds(ttl, flag: "--ttl") ?? 3600
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let (minted, server) = try await context.withAPI { client in
                let token = try await notFound("stream", streamID) {
                    try await client.createStreamToken(streamID, role: viewOnly ? "view" : "control", ttlSeconds: seconds)
                }
                return (token, client.baseURL)
            }
            let url = StreamLinks.viewerURL(server: server, streamID: streamID, token: minted["token"]?.stringValue ?? "")
            guard context.printer.isTable else {
                var object = minted.objectValue ?? JSONObject()
                object["url"] = .string(url)
                return context.printer.raw(.object(object))
            }
            Console.line(url)
        }
    }

    struct Token: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "token", abstract: "Mint a stream token.")

        @Argument(help: "Stream ID.") var streamID: String
        @Option(help: "view, control or publish (default view).") var role: String?
        @Option(help: "Token lifetime (default 1h, at most 24h).") var ttl: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            try requireOneOf(role, StreamLinks.roles, flag: "--role")
            _ = try parseSeconds(ttl, flag: "--ttl")
        }

        func execute() async throws {
            let seconds = try parseSeconds(ttl, flag: "--ttl")
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let minted = try await context.withAPI { client in
                try await notFound("stream", streamID) { try await client.createStreamToken(streamID, role: role, ttlSeconds: seconds) }
            }
            guard context.printer.isTable else { return context.printer.raw(minted) }
            Console.out(TableRenderer.fields([
                ("Token", minted["token"]?.stringValue ?? "-"), ("Role", cell(minted, "role")),
                ("Expires", minted["expires_at"]?.stringValue ?? "-"),
            ]))
        }
    }
}
