import Orchestrator

/// What keeps a session from idling out besides its store rows (orchestration.md §8): a live
/// connection through one of its tunnels, or a viewer on one of its streams.
struct SessionLiveActivity: SessionActivityProbe {
    let store: Store
    let tunnels: TunnelRuntime
    let sfu: SFUHolder

    func hasLiveActivity(sessionID: String) async -> Bool {
        var tunnelFilter = TunnelFilter()
        tunnelFilter.sessionID = sessionID
        if let open = try? await store.tunnels(tunnelFilter, page: PageRequest(limit: 100), scope: .system),
            open.items.contains(where: { tunnels.connectionCount(tunnelID: $0.id) > 0 })
        {
            return true
        }
        guard let server = sfu.server,
            let streams = try? await store.streams(sessionID: sessionID, StreamFilter(), page: PageRequest(limit: 100), scope: .system)
        else { return false }
        for stream in streams.items where (await server.streamStats(streamID: stream.id)?.viewerCount ?? 0) > 0 {
            return true
        }
        return false
    }
}
