/// The `application/trickle-ice-sdpfrag` bodies of WHEP/WHIP PATCH (RFC 9725 §4.3, RFC 8840). A
/// client restarts ICE by sending new credentials; the SFU answers with its own new ones and its
/// candidates. A body without credentials only trickles candidates, which an ICE-lite server ignores.
public enum ICERestartFragment {
    /// The client's ICE credentials in a PATCH body (session level or any m-line), or nil.
    public static func credentials(in body: String) -> (ufrag: String, password: String)? {
        var ufrag: String?
        var password: String?
        for raw in body.split(whereSeparator: \.isNewline) {
            let line = SDPText.trimmed(String(raw))
            if line.hasPrefix("a=ice-ufrag:") {
                ufrag = ufrag ?? String(line.dropFirst("a=ice-ufrag:".count))
            } else if line.hasPrefix("a=ice-pwd:") {
                password = password ?? String(line.dropFirst("a=ice-pwd:".count))
            }
        }
        guard let ufrag, let password, !ufrag.isEmpty, !password.isEmpty else { return nil }
        return (ufrag, password)
    }

    /// Our answer to a restart: ice-lite, the new credentials, and per bundled m-line its mid with
    /// the host candidates (the same ones, in the same order, as the SDP answer carried).
    public static func answer(credentials: ICECredentials, mids: [String], candidates: [SDPHostCandidate]) -> String {
        var lines = ["a=ice-lite", "a=ice-ufrag:\(credentials.ufrag)", "a=ice-pwd:\(credentials.password)"]
        if !mids.isEmpty { lines.append("a=group:BUNDLE " + mids.joined(separator: " ")) }
        let candidateLines = candidates.enumerated().map { index, candidate in
            SDPCandidate(
                foundation: String(index + 1), component: 1, transport: "udp",
                priority: SDPNegotiator.hostPriority(index: index), address: candidate.address, port: candidate.port,
                type: "host"
            ).line.description
        }
        for mid in mids {
            lines.append("m=audio 9 UDP/TLS/RTP/SAVPF 0")
            lines.append("a=mid:\(mid)")
            lines += candidateLines
            lines.append("a=end-of-candidates")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
