import ArgumentParser
import Foundation
import SFU

/// What one peer's transport state costs in resident memory, stage by stage, with the SFU's own types:
/// N DTLS pairs (server side as the SFU holds it, client side as a viewer) handshake in memory, then
/// get their SRTP sessions. Reported per peer (half a pair), as RSS growth of this process.
struct PeerMemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer-memory", abstract: "Resident memory per peer of DTLS endpoints and SRTP sessions.")

    @Option(help: "DTLS pairs to create") var pairs = 200

    func run() throws {
        let serverContext = try DTLSContext(certificate: try DTLSCertificate(commonName: "server"))
        let clientContext = try DTLSContext(certificate: try DTLSCertificate(commonName: "client"))
        func rss() -> Int { ProcessSample.read(pid: 0)?.rssKiB ?? 0 }
        let peers = Double(2 * pairs)
        var report: [(String, Int)] = []
        var last = rss()
        func stage(_ name: String) {
            let now = rss()
            report.append((name, now - last))
            last = now
        }
        var endpoints: [(server: DTLSEndpoint, client: DTLSEndpoint)] = []
        for _ in 0..<pairs {
            let server = try DTLSEndpoint(context: serverContext, role: .server, expectedFingerprint: clientContext.certificate.fingerprint)
            let client = try DTLSEndpoint(context: clientContext, role: .client, expectedFingerprint: serverContext.certificate.fingerprint)
            endpoints.append((server, client))
        }
        stage("dtls_created")
        for (server, client) in endpoints {
            for _ in 0..<20 {
                for datagram in client.popAllDatagrams() { datagram.withUnsafeBytes { server.receive($0) } }
                for datagram in server.popAllDatagrams() { datagram.withUnsafeBytes { client.receive($0) } }
                if case .connected = server.state, case .connected = client.state { break }
            }
            guard case .connected = server.state, case .connected = client.state else { throw SignalingError("in-memory handshake did not finish") }
        }
        stage("dtls_handshaken")
        var sessions: [SRTPSession] = []
        for (server, client) in endpoints {
            for endpoint in [server, client] {
                guard case .connected(let keys) = endpoint.state else { continue }
                sessions.append(try SRTPSession(profile: keys.profile, keyAndSalt: keys.localKeyAndSalt, direction: .outbound))
                sessions.append(try SRTPSession(profile: keys.profile, keyAndSalt: keys.remoteKeyAndSalt, direction: .inbound))
            }
        }
        stage("srtp_sessions")
        // libsrtp keeps a template per session and clones a stream (keys, replay window) per SSRC on its
        // first packet: one packet each way makes the sessions what they are while media flows.
        var packet = [UInt8](repeating: 0, count: 1200 + SRTPSession.maxTrailer)
        for base in stride(from: 0, to: sessions.count, by: 4) {
            for (outbound, inbound) in [(sessions[base], sessions[base + 3]), (sessions[base + 2], sessions[base + 1])] {
                for i in 0..<12 { packet[i] = 0 }
                packet[0] = 0x80
                packet[1] = 96
                packet[11] = 7
                var length = 1100
                try packet.withUnsafeMutableBytes { try outbound.protectRTP($0.baseAddress!, length: &length) }
                try packet.withUnsafeMutableBytes { try inbound.unprotectRTP($0.baseAddress!, length: &length) }
            }
        }
        stage("srtp_first_packet")
        for (name, kib) in report {
            BenchOutput.result("RESULT sfu_peer_memory_\(name) \(String(format: "%.1f", Double(kib) / peers)) KiB")
        }
        withExtendedLifetime((endpoints, sessions)) {}
    }
}
