/// How a synthetic viewer asks a server for a stream: it returns the server's side of the session
/// (to connect to) and a token to leave with. Blocking; called from signaling threads.
protocol ViewerSignaling: Sendable {
    func join(credentials: LocalICECredentials, fingerprint: String, localHost: String, localPort: UInt16) throws -> (remote: RemoteDescription, leaveToken: String)
    func leave(_ token: String)
}
