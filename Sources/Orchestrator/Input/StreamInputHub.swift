import Dispatch
import Fabric

/// Joins the input WebSockets of each stream with the runner's `Media` call (api.md §10.4,
/// runner-protocol.md §11): viewer input goes down in order after arbitration; clipboard and
/// cursor messages from the runner, control changes and stream states go to every viewer.
public actor StreamInputHub {
    public typealias RunnerSend = @Sendable (Marionette_Runner_V1_MediaDown) -> Bool

    private struct Viewer {
        let canControl: Bool
        let notices: AsyncStream<StreamInputNotice>.Continuation
    }

    private struct Stream {
        var runner: (token: UInt64, send: RunnerSend)?
        var viewers: [String: Viewer] = [:]
        var arbitration: InputArbitration
        /// The latest cursor shape and capture size, replayed to viewers that join later (the
        /// runner sends each only when it changes).
        var cursor: StreamInputNotice?
        var size: StreamInputNotice?
        var isEmpty: Bool { runner == nil && viewers.isEmpty }
    }

    private var streams: [String: Stream] = [:]
    private var nextToken: UInt64 = 0
    private let idleTakeoverNanoseconds: UInt64
    private let now: @Sendable () -> UInt64

    public init(
        idleTakeoverNanoseconds: UInt64 = InputArbitration.defaultIdleTakeoverNanoseconds,
        now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    ) {
        self.idleTakeoverNanoseconds = idleTakeoverNanoseconds
        self.now = now
    }

    // MARK: Runner side

    /// A `Media` call started; the returned token detaches exactly this call (a newer one may
    /// already have replaced it after a reconnect).
    public func attachRunner(streamID: String, send: @escaping RunnerSend) -> UInt64 {
        nextToken &+= 1
        update(streamID) { $0.runner = (nextToken, send) }
        return nextToken
    }

    public func detachRunner(streamID: String, token: UInt64) {
        guard streams[streamID]?.runner?.token == token else { return }
        update(streamID) { $0.runner = nil }
    }

    /// Something every viewer of the stream should hear (clipboard, cursor, resize, state).
    public func broadcast(streamID: String, _ notice: StreamInputNotice) {
        switch notice {
        case .cursor: update(streamID) { $0.cursor = notice }
        case .resize: update(streamID) { $0.size = notice }
        default: break
        }
        guard let stream = streams[streamID] else { return }
        for viewer in stream.viewers.values { viewer.notices.yield(notice) }
    }

    // MARK: Viewer side

    /// A viewer connected. An input-capable viewer gets control when nobody holds it.
    public func join(streamID: String, viewerID: String, canControl: Bool) -> (notices: AsyncStream<StreamInputNotice>, controller: Bool) {
        let (notices, continuation) = AsyncStream<StreamInputNotice>.makeStream(bufferingPolicy: .bufferingNewest(256))
        var controller = false
        update(streamID) { stream in
            if let size = stream.size { continuation.yield(size) }
            if let cursor = stream.cursor { continuation.yield(cursor) }
            stream.viewers[viewerID] = Viewer(canControl: canControl, notices: continuation)
            if canControl, stream.arbitration.holder == nil {
                _ = stream.arbitration.request(viewerID, now: now())
                controller = true
            }
        }
        if controller { broadcast(streamID: streamID, .control(state: "granted", holder: viewerID), except: viewerID) }
        return (notices, controller)
    }

    /// A viewer disconnected: if it held control, the runner releases everything it pressed.
    public func leave(streamID: String, viewerID: String) {
        var released = false
        update(streamID) { stream in
            stream.viewers.removeValue(forKey: viewerID)?.notices.finish()
            released = stream.arbitration.release(viewerID)
        }
        if released {
            releaseInput(streamID: streamID, viewerID: viewerID)
            broadcast(streamID: streamID, .control(state: "revoked", holder: nil))
        }
    }

    /// `{"type":"control","action":"request"|"release"}`: the answer for the asking viewer.
    public func control(streamID: String, viewerID: String, request: Bool) -> StreamInputNotice {
        guard let viewer = streams[streamID]?.viewers[viewerID], viewer.canControl else {
            return .control(state: "denied", holder: streams[streamID]?.arbitration.holder)
        }
        if request { return acquire(streamID: streamID, viewerID: viewerID) }
        var released = false
        update(streamID) { released = $0.arbitration.release(viewerID) }
        if released {
            releaseInput(streamID: streamID, viewerID: viewerID)
            broadcast(streamID: streamID, .control(state: "revoked", holder: nil), except: viewerID)
        }
        return .control(state: "revoked", holder: nil)
    }

    /// One input message for the runner. Input from a viewer without control takes control when
    /// it is free (or its holder went idle), else it is refused.
    public func send(streamID: String, viewerID: String, _ message: Marionette_Runner_V1_MediaDown) throws(StreamInputRejection) {
        guard let stream = streams[streamID], let viewer = stream.viewers[viewerID], viewer.canControl else { throw .viewOnly }
        var accepted = false
        update(streamID) { accepted = $0.arbitration.input(from: viewerID, now: now()) }
        if !accepted, case .control(state: "denied", let holder) = acquire(streamID: streamID, viewerID: viewerID) {
            throw .notController(holder: holder ?? "")
        }
        guard let runner = streams[streamID]?.runner else { throw .runnerUnavailable }
        guard runner.send(message) else { throw .runnerBusy }
    }

    /// The viewer that holds control of `streamID`, if any.
    public func controller(of streamID: String) -> String? { streams[streamID]?.arbitration.holder }

    // MARK: Internals

    private func acquire(streamID: String, viewerID: String) -> StreamInputNotice {
        var decision = InputArbitration.Decision.denied(holder: "")
        update(streamID) { decision = $0.arbitration.request(viewerID, now: now()) }
        switch decision {
        case .denied(let holder):
            return .control(state: "denied", holder: holder)
        case .granted(let revoked):
            if let revoked {
                releaseInput(streamID: streamID, viewerID: revoked)
                streams[streamID]?.viewers[revoked]?.notices.yield(.control(state: "revoked", holder: viewerID))
            }
            broadcast(streamID: streamID, .control(state: "granted", holder: viewerID), except: viewerID)
            return .control(state: "granted", holder: viewerID)
        }
    }

    /// Control of `viewerID` ended: an `InputEvent` without an event tells the runner to release
    /// every key and button that viewer's input pressed (runner.proto).
    private func releaseInput(streamID: String, viewerID: String) {
        guard let runner = streams[streamID]?.runner else { return }
        var event = Marionette_Runner_V1_InputEvent()
        event.viewerID = viewerID
        var message = Marionette_Runner_V1_MediaDown()
        message.input = event
        _ = runner.send(message)
    }

    private func broadcast(streamID: String, _ notice: StreamInputNotice, except: String) {
        guard let stream = streams[streamID] else { return }
        for (id, viewer) in stream.viewers where id != except { viewer.notices.yield(notice) }
    }

    private func update(_ streamID: String, _ body: (inout Stream) -> Void) {
        var stream = streams[streamID] ?? Stream(arbitration: InputArbitration(idleTakeoverNanoseconds: idleTakeoverNanoseconds))
        body(&stream)
        streams[streamID] = stream.isEmpty ? nil : stream
    }
}
