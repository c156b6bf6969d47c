/// Marionette's WHEP: POST the offer to /api/v1/streams/{id}/whep, the answer comes back (201) with
/// a Location to DELETE when leaving.
struct WHEPSignaling: ViewerSignaling {
    let http: BlockingHTTPClient
    let streamID: String
    let token: String
    var codec: BenchCodec = .vp8

    func join(credentials: LocalICECredentials, fingerprint: String, localHost: String, localPort: UInt16) throws -> (remote: RemoteDescription, leaveToken: String) {
        let offer = BenchSDP.offer(credentials: credentials, fingerprint: fingerprint, sending: nil, codec: codec)
        let response = try http.request(
            "POST", "/api/v1/streams/\(streamID)/whep",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/sdp")], body: offer)
        guard response.status == 201 else { throw SignalingError("WHEP POST: \(response.status) \(response.body.prefix(300))") }
        return (try RemoteDescription(sdp: response.body, weOffered: true), response.header("Location") ?? "")
    }

    func leave(_ token: String) {
        guard !token.isEmpty else { return }
        _ = try? http.request("DELETE", token, headers: [("Authorization", "Bearer \(self.token)")])
    }
}
