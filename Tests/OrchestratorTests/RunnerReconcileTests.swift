import Core
import Fabric
import Foundation
import Synchronization
import Testing

@testable import Orchestrator

/// The first heartbeat after a runner (re)connects fails the runs the runner no longer lists
/// ("runner lost run"), except runs sent on that same stream: the runner took the heartbeat's
/// snapshot when the stream opened, before they arrived.
@Suite struct RunnerReconcileTests {
    /// Records what the hub sends a runner.
    final class RecordingLink: RunnerLink {
        let sent = Mutex<[Marionette_Runner_V1_ServerCommand]>([])
        func send(_ command: Marionette_Runner_V1_ServerCommand) -> Bool {
            sent.withLock { $0.append(command) }
            return true
        }
        func close() {}
        var executed: [Marionette_Runner_V1_ExecuteTask] {
            sent.withLock { $0.compactMap { if case .executeTask(let execute)? = $0.payload { return execute } else { return nil } } }
        }
    }

    static func message(_ payload: Marionette_Runner_V1_RunnerMessage.OneOf_Payload) -> Marionette_Runner_V1_RunnerMessage {
        var message = Marionette_Runner_V1_RunnerMessage()
        message.payload = payload
        return message
    }

    static func heartbeat(listing runs: [Marionette_Runner_V1_ExecuteTask]) -> Marionette_Runner_V1_RunnerMessage {
        var beat = Marionette_Runner_V1_Heartbeat()
        beat.runningRuns = runs.map { execute in
            var ref = Marionette_Runner_V1_RunRef()
            ref.runID = execute.runID
            ref.taskID = execute.taskID
            ref.attempt = execute.attempt
            return ref
        }
        return message(.heartbeat(beat))
    }

    static func accepted(_ execute: Marionette_Runner_V1_ExecuteTask) -> [Marionette_Runner_V1_RunnerMessage] {
        var accepted = Marionette_Runner_V1_TaskAccepted()
        accepted.runID = execute.runID
        accepted.taskID = execute.taskID
        var started = Marionette_Runner_V1_TaskStarted()
        started.runID = execute.runID
        started.taskID = execute.taskID
        started.attempt = execute.attempt
        return [message(.taskAccepted(accepted)), message(.taskStarted(started))]
    }

    @Test func runsSentOnTheNewStreamSurviveAStaleFirstHeartbeat() async throws {
        try await TestDatabases.with(.sqlite) { store in
            let registered = try await RegisteredRunnerHub(store)
            let (hub, runnerID) = (registered.hub, registered.runnerID)

            let session = try await SessionService(store: store).create(CreateSessionRequest(agent: "command"), scope: .single)
            var tasks = TaskService(store: store)
            tasks.hooks = hub
            let task = try await tasks.create(CreateTaskRequest(sessionID: session.id, prompt: "sleep 5"), scope: .single)

            // The runner connects; the waiting session goes to it and its task is sent at once.
            let link = RecordingLink()
            await hub.connected(runnerID: runnerID, link: link)
            let execute = try #require(link.executed.first, "no ExecuteTask sent: \(link.sent.withLock { $0 })")
            #expect(execute.taskID == task.id)
            // The runner's queue drains before its first heartbeat, whose snapshot predates the task.
            for message in Self.accepted(execute) { await hub.handle(runnerID: runnerID, message: message) }
            await hub.handle(runnerID: runnerID, message: Self.heartbeat(listing: []))
            let runs = try await store.runs(taskID: task.id, statuses: [], page: PageRequest(), scope: .single).items
            #expect(runs.first?.status == "running", "\(runs)")

            // After a reconnect, a first heartbeat without the run means the runner lost it.
            let again = RecordingLink()
            await hub.disconnected(runnerID: runnerID, link: link)
            await hub.connected(runnerID: runnerID, link: again)
            await hub.handle(runnerID: runnerID, message: Self.heartbeat(listing: []))
            let lost = try await store.runs(taskID: task.id, statuses: [], page: PageRequest(), scope: .single).items
            #expect(lost.first?.status == "failed")
            #expect(lost.first?.error == "runner lost run")
        }
    }
}
