import Core
import Foundation
import Hummingbird
import NIOCore
import NIOPosix

/// `GET /api/status` on the admin listener (api.md §13.1, unauthenticated): one line per service
/// with its port and `ok`, `error` or `unknown`. The database is asked a cheap query; TCP listeners
/// are probed by connecting to them; the admin listener answers this very request.
enum AdminStatusRoutes {
    struct Service: Encodable {
        var name: String
        var port: Int
        var status: String
        var message: String?
    }

    struct Status: Encodable {
        var services: [Service]
    }

    static func register(_ table: inout RouteTable, _ router: Router<APIContext>, _ s: GatewayServices) {
        table.add(router, .get, "/api/status") { _, _ in
            try JSONIO.response(await status(s))
        }
    }

    static func status(_ s: GatewayServices) async -> Status {
        let config = s.config
        async let database = HealthRoutes.readiness(s)
        async let api = probe(host: config.apiHost, port: config.apiPort)
        async let grpc = probe(host: config.grpcHost, port: config.grpcPort)
        let dbCheck = await database.checks["database"]
        var services = [
            Service(
                name: "Database", port: 0, status: dbCheck?.status == "ok" ? "ok" : "error",
                message: dbCheck?.status == "ok" ? nil : (dbCheck?.message ?? "database unreachable")),
            service("Public API", config.apiPort, await api),
            Service(name: "Admin API", port: config.adminPort, status: "ok"),
            service("gRPC", config.grpcPort, await grpc),
            // /metrics is served by the admin listener.
            Service(name: "Metrics", port: config.adminPort, status: "ok"),
        ]
        let sfuRunning = s.sfu.server != nil
        services.append(
            Service(
                name: "SFU", port: config.mediaPort, status: sfuRunning ? "ok" : "unknown",
                message: sfuRunning ? nil : "the SFU has not bound its UDP port (yet)"))
        return Status(services: services)
    }

    private static func service(_ name: String, _ port: Int, _ error: String?) -> Service {
        Service(name: name, port: port, status: error == nil ? "ok" : "error", message: error)
    }

    /// nil when a TCP connection to the listener opens within 2 s, else what went wrong. A wildcard
    /// bind address is probed on loopback.
    static func probe(host: String, port: Int) async -> String? {
        let target = ["0.0.0.0", "::", "", "*"].contains(host) ? "127.0.0.1" : host
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .connect(host: target, port: port).get()
            channel.close(promise: nil)
            return nil
        } catch {
            return "not accepting connections on \(target):\(port)"
        }
    }
}
