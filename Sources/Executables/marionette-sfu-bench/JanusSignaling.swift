import Foundation

/// Janus's HTTP API for a Streaming plugin viewer: create a session, attach janus.plugin.streaming,
/// `watch` the mountpoint (Janus then sends the offer as an event, fetched with a long-poll GET),
/// `start` with our answer. Leaving destroys the session.
struct JanusSignaling: ViewerSignaling {
    let http: BlockingHTTPClient
    let mountpoint: Int

    func join(credentials: LocalICECredentials, fingerprint: String, localHost: String, localPort: UInt16) throws -> (remote: RemoteDescription, leaveToken: String) {
        let session = try createID(post("/janus", ["janus": "create"]))
        let handle = try createID(post("/janus/\(session)", ["janus": "attach", "plugin": "janus.plugin.streaming"]))
        let path = "/janus/\(session)/\(handle)"
        _ = try post(path, ["janus": "message", "body": ["request": "watch", "id": mountpoint] as [String: Any]])
        var offer: String?
        for _ in 0..<20 where offer == nil {
            let polled = try http.request("GET", "/janus/\(session)?maxev=1")
            guard polled.status == 200 else { throw SignalingError("Janus long poll: \(polled.status)") }
            let event = try json(polled.body)
            if let jsep = event["jsep"] as? [String: Any], let sdp = jsep["sdp"] as? String { offer = sdp }
            if (event["janus"] as? String) == "error" || ((event["plugindata"] as? [String: Any])?["data"] as? [String: Any])?["error"] != nil {
                throw SignalingError("Janus watch: \(polled.body.prefix(300))")
            }
        }
        guard let offer else { throw SignalingError("Janus sent no offer") }
        let remote = try RemoteDescription(sdp: offer, weOffered: false)
        let answer = BenchSDP.answer(to: remote, credentials: credentials, fingerprint: fingerprint, candidateHost: localHost, candidatePort: localPort)
        _ = try post(path, ["janus": "message", "body": ["request": "start"] as [String: Any], "jsep": ["type": "answer", "sdp": answer] as [String: Any]])
        return (remote, String(session))
    }

    func leave(_ token: String) {
        _ = try? post("/janus/\(token)", ["janus": "destroy"])
    }

    private func post(_ path: String, _ body: [String: Any]) throws -> [String: Any] {
        var message = body
        message["transaction"] = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let data = try JSONSerialization.data(withJSONObject: message)
        let response = try http.request("POST", path, headers: [("Content-Type", "application/json")], body: String(decoding: data, as: UTF8.self))
        guard response.status == 200 else { throw SignalingError("Janus POST \(path): \(response.status)") }
        let reply = try json(response.body)
        if (reply["janus"] as? String) == "error" { throw SignalingError("Janus POST \(path): \(response.body.prefix(300))") }
        return reply
    }

    private func createID(_ reply: [String: Any]) throws -> Int64 {
        guard let data = reply["data"] as? [String: Any], let id = (data["id"] as? NSNumber)?.int64Value else {
            throw SignalingError("Janus reply without data.id: \(reply)")
        }
        return id
    }

    private func json(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw SignalingError("not a JSON object: \(text.prefix(200))")
        }
        return object
    }
}
