import SFU

/// What a peer needs from the other side's SDP to connect: where to send ICE checks, the ICE
/// credentials, the DTLS fingerprint and role, and the VP8 (or H.264) payload type and mid of the video m-line.
struct RemoteDescription: Sendable {
    var host: String
    var port: UInt16
    var ufrag: String
    var password: String
    var fingerprint: [UInt8]
    /// Our DTLS role, from the remote `a=setup`.
    var localRole: DTLSEndpoint.Role
    var videoPayloadType: UInt8
    var mid: String

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// `sdp` is an answer to our offer (`weOffered`) or an offer we answer; in an offer `actpass`
    /// lets us choose, and we choose DTLS client, as browsers do.
    init(sdp: String, weOffered: Bool) throws {
        let session = try SDPSession(parsing: sdp)
        guard let media = session.media.first(where: { $0.kind == "video" }) else { throw Invalid(description: "no video m-line") }
        let candidates = media.candidates.isEmpty ? session.candidates : media.candidates
        let udp = candidates.filter { $0.transport.lowercased() == "udp" && !$0.address.contains(":") }
        guard let candidate = udp.first(where: { $0.address == "127.0.0.1" }) ?? udp.first else {
            throw Invalid(description: "no IPv4 UDP candidate in \(candidates.map(\.address))")
        }
        guard let ufrag = media.iceUfrag ?? session.iceUfrag, let password = media.icePwd ?? session.icePwd else {
            throw Invalid(description: "no ICE credentials")
        }
        guard let fingerprint = media.fingerprints.first ?? session.fingerprints.first, fingerprint.hashFunction.lowercased() == "sha-256" else {
            throw Invalid(description: "no sha-256 fingerprint")
        }
        // VP8 (bench/sfu), else H.264 (an android stream's viewers, bench/android).
        guard let video = media.rtpMaps.first(where: { $0.encodingName.uppercased() == "VP8" })
            ?? media.rtpMaps.first(where: { $0.encodingName.uppercased() == "H264" })
        else {
            throw Invalid(description: "no VP8 or H.264 in the video m-line")
        }
        host = candidate.address
        port = candidate.port
        self.ufrag = ufrag
        self.password = password
        self.fingerprint = fingerprint.bytes
        let setup = media.setup ?? session.setup
        if weOffered {
            localRole = setup == .active ? .server : .client
        } else {
            localRole = setup == .passive ? .server : .client
        }
        videoPayloadType = video.payloadType
        mid = media.mid ?? "0"
    }
}
