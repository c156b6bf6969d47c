import Core
import Fabric
import Foundation
import Testing

@testable import Orchestrator

/// A Codex run reports tokens but no cost: the hub prices it from `pricing.models` by the model of
/// the session's agent config; a model without a price keeps the cost unknown (NULL, not $0.00).
@Suite struct RunPricingTests {
    typealias Reconcile = RunnerReconcileTests

    @Test(arguments: [("gpt-5.1-codex", true), ("unpriced-model", false)])
    func codexRunsArePricedByTheirModel(_ model: String, _ priced: Bool) async throws {
        try await TestDatabases.with(.sqlite) { store in
            var settings = RunnerHub.Settings()
            try settings.pricing.apply(key: "pricing.models.gpt-5.1-codex.input_per_mtok", value: "1.25")
            try settings.pricing.apply(key: "pricing.models.gpt-5.1-codex.cached_input_per_mtok", value: "0.125")
            try settings.pricing.apply(key: "pricing.models.gpt-5.1-codex.output_per_mtok", value: "10")
            let registered = try await RegisteredRunnerHub(store, settings: settings)
            let (hub, runnerID) = (registered.hub, registered.runnerID)
            var request = CreateSessionRequest(agent: "codex")
            request.permissionPolicy = "auto"
            let session = try await SessionService(store: store).create(request, scope: .single)
            // An agent config naming the model (its sealed key is not needed here).
            let configID = ID.make(.agentConfig)
            try await store.database.transaction(.system) { db in
                try await db.execute(
                    "INSERT INTO agent_configs (id, name, agent, api_key_encrypted, model) VALUES (?, 'team', 'codex', 'sealed', ?)",
                    [.text(configID), .text(model)])
                try await db.execute("UPDATE sessions SET agent_config_id = ? WHERE id = ?", [.text(configID), .text(session.id)])
            }
            var tasks = TaskService(store: store)
            tasks.hooks = hub
            let task = try await tasks.create(CreateTaskRequest(sessionID: session.id, prompt: "fix it"), scope: .single)
            let link = Reconcile.RecordingLink()
            await hub.connected(runnerID: runnerID, link: link)
            let execute = try #require(link.executed.first)
            #expect(execute.agentConfig.model == model)
            for message in Reconcile.accepted(execute) { await hub.handle(runnerID: runnerID, message: message) }

            var done = Marionette_Runner_V1_TaskCompleted()
            done.taskID = execute.taskID
            done.runID = execute.runID
            done.attempt = execute.attempt
            done.success = true
            done.tokensInput = 24_763
            done.tokensCachedInput = 24_448
            done.tokensOutput = 122
            await hub.handle(runnerID: runnerID, message: Reconcile.message(.taskCompleted(done)))
            let run = try #require(try await store.runs(taskID: task.id, statuses: [], page: PageRequest(), scope: .single).items.first)
            #expect(run.status == "completed" && run.tokensInput == 24_763 && run.tokensOutput == 122)
            if priced {
                let cost = try #require(run.costUSD)
                #expect(abs(cost - (315 * 1.25 + 24_448 * 0.125 + 122 * 10) / 1_000_000) < 1e-12)
            } else {
                #expect(run.costUSD == nil)
            }
        }
    }
}
