import Fabric
import Synchronization
import Testing

@testable import Orchestrator

/// The hub between input WebSockets and the runner's `Media` call: arbitration, ordering,
/// release on control end, notices to viewers.
@Suite struct StreamInputHubTests {
    /// Records what reaches the runner.
    final class RunnerRecorder: Sendable {
        let messages = Mutex<[Marionette_Runner_V1_MediaDown]>([])
        let accept = Atomic<Bool>(true)
        var send: StreamInputHub.RunnerSend {
            { message in
                guard self.accept.load(ordering: .relaxed) else { return false }
                self.messages.withLock { $0.append(message) }
                return true
            }
        }
        var inputs: [Marionette_Runner_V1_InputEvent] { messages.withLock { $0.compactMap { if case .input(let event)? = $0.payload { event } else { nil } } } }
    }

    static func move(_ viewer: String, _ x: Float) -> Marionette_Runner_V1_MediaDown {
        var mouse = Marionette_Runner_V1_MouseEvent()
        mouse.action = .move
        mouse.x = x
        var event = Marionette_Runner_V1_InputEvent()
        event.viewerID = viewer
        event.mouse = mouse
        var message = Marionette_Runner_V1_MediaDown()
        message.input = event
        return message
    }

    @Test func controllerInputReachesTheRunnerInOrder() async throws {
        let hub = StreamInputHub()
        let runner = RunnerRecorder()
        _ = await hub.attachRunner(streamID: "strm_1", send: runner.send)
        let (_, controller) = await hub.join(streamID: "strm_1", viewerID: "vwr_a", canControl: true)
        #expect(controller)
        for i in 0..<50 { try await hub.send(streamID: "strm_1", viewerID: "vwr_a", Self.move("vwr_a", Float(i) / 50)) }
        #expect(runner.inputs.map(\.mouse.x) == (0..<50).map { Float($0) / 50 })
    }

    @Test func viewOnlyAndSecondViewersAreRefused() async throws {
        let hub = StreamInputHub()
        let runner = RunnerRecorder()
        _ = await hub.attachRunner(streamID: "strm_1", send: runner.send)
        _ = await hub.join(streamID: "strm_1", viewerID: "vwr_a", canControl: true)
        let (_, viewOnlyController) = await hub.join(streamID: "strm_1", viewerID: "vwr_v", canControl: false)
        let (_, secondController) = await hub.join(streamID: "strm_1", viewerID: "vwr_b", canControl: true)
        #expect(!viewOnlyController && !secondController)
        await #expect(throws: StreamInputRejection.viewOnly) {
            try await hub.send(streamID: "strm_1", viewerID: "vwr_v", Self.move("vwr_v", 0.5))
        }
        await #expect(throws: StreamInputRejection.notController(holder: "vwr_a")) {
            try await hub.send(streamID: "strm_1", viewerID: "vwr_b", Self.move("vwr_b", 0.5))
        }
        #expect(await hub.control(streamID: "strm_1", viewerID: "vwr_v", request: true) == .control(state: "denied", holder: "vwr_a"))
        #expect(runner.inputs.isEmpty)
    }

    @Test func leavingControllerReleasesKeysAndFreesControl() async throws {
        let hub = StreamInputHub()
        let runner = RunnerRecorder()
        _ = await hub.attachRunner(streamID: "strm_1", send: runner.send)
        _ = await hub.join(streamID: "strm_1", viewerID: "vwr_a", canControl: true)
        let (notices, _) = await hub.join(streamID: "strm_1", viewerID: "vwr_b", canControl: true)
        await hub.leave(streamID: "strm_1", viewerID: "vwr_a")
        // An InputEvent without an event: release everything vwr_a pressed.
        let release = try #require(runner.inputs.last)
        #expect(release.viewerID == "vwr_a" && release.event == nil)
        var iterator = notices.makeAsyncIterator()
        let notice = await iterator.next()
        #expect(notice == .control(state: "revoked", holder: nil))
        // Input from vwr_b now takes the free control.
        try await hub.send(streamID: "strm_1", viewerID: "vwr_b", Self.move("vwr_b", 0.25))
        #expect(await hub.controller(of: "strm_1") == "vwr_b")
        #expect(runner.inputs.last?.mouse.x == 0.25)
    }

    @Test func explicitReleaseAndRequest() async throws {
        let hub = StreamInputHub()
        let runner = RunnerRecorder()
        _ = await hub.attachRunner(streamID: "strm_1", send: runner.send)
        _ = await hub.join(streamID: "strm_1", viewerID: "vwr_a", canControl: true)
        _ = await hub.join(streamID: "strm_1", viewerID: "vwr_b", canControl: true)
        #expect(await hub.control(streamID: "strm_1", viewerID: "vwr_b", request: true) == .control(state: "denied", holder: "vwr_a"))
        #expect(await hub.control(streamID: "strm_1", viewerID: "vwr_a", request: false) == .control(state: "revoked", holder: nil))
        #expect(await hub.control(streamID: "strm_1", viewerID: "vwr_b", request: true) == .control(state: "granted", holder: "vwr_b"))
    }

    @Test func noRunnerOrAFullQueueIsReported() async throws {
        let hub = StreamInputHub()
        _ = await hub.join(streamID: "strm_1", viewerID: "vwr_a", canControl: true)
        await #expect(throws: StreamInputRejection.runnerUnavailable) {
            try await hub.send(streamID: "strm_1", viewerID: "vwr_a", Self.move("vwr_a", 0.5))
        }
        let runner = RunnerRecorder()
        let token = await hub.attachRunner(streamID: "strm_1", send: runner.send)
        runner.accept.store(false, ordering: .relaxed)
        await #expect(throws: StreamInputRejection.runnerBusy) {
            try await hub.send(streamID: "strm_1", viewerID: "vwr_a", Self.move("vwr_a", 0.5))
        }
        // An old call's detach does not remove a newer call's runner.
        let newer = RunnerRecorder()
        _ = await hub.attachRunner(streamID: "strm_1", send: newer.send)
        await hub.detachRunner(streamID: "strm_1", token: token)
        try await hub.send(streamID: "strm_1", viewerID: "vwr_a", Self.move("vwr_a", 0.5))
        #expect(newer.inputs.count == 1)
    }

    @Test func broadcastsReachEveryViewer() async throws {
        let hub = StreamInputHub()
        let (a, _) = await hub.join(streamID: "strm_1", viewerID: "vwr_a", canControl: false)
        let (b, _) = await hub.join(streamID: "strm_1", viewerID: "vwr_b", canControl: false)
        await hub.broadcast(streamID: "strm_1", .clipboard(text: "hi"))
        var ia = a.makeAsyncIterator()
        var ib = b.makeAsyncIterator()
        let (na, nb) = (await ia.next(), await ib.next())
        #expect(na == .clipboard(text: "hi"))
        #expect(nb == .clipboard(text: "hi"))
    }

    @Test func aLateViewerGetsTheCurrentSizeAndCursorShape() async throws {
        let hub = StreamInputHub()
        let runner = RunnerRecorder()
        _ = await hub.attachRunner(streamID: "strm_1", send: runner.send)
        await hub.broadcast(streamID: "strm_1", .cursor(png: [1, 2, 3], xhot: 4, yhot: 5))
        await hub.broadcast(streamID: "strm_1", .resize(width: 640, height: 480))
        await hub.broadcast(streamID: "strm_1", .resize(width: 800, height: 600))
        let (late, _) = await hub.join(streamID: "strm_1", viewerID: "vwr_late", canControl: false)
        var iterator = late.makeAsyncIterator()
        let (first, second) = (await iterator.next(), await iterator.next())
        #expect(first == .resize(width: 800, height: 600))
        #expect(second == .cursor(png: [1, 2, 3], xhot: 4, yhot: 5))
    }
}
