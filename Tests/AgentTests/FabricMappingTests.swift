import Fabric
import Foundation
import Testing

@testable import Agent

@Suite struct FabricMappingTests {
    @Test func commandsFromTheWire() {
        var execute = Marionette_Runner_V1_ExecuteTask()
        execute.taskID = "task_1"
        execute.runID = "trun_1"
        execute.attempt = 2
        execute.sessionID = "sess_1"
        execute.prompt = "make"
        execute.workDir = "src"
        execute.env = ["A": "b"]
        execute.sandbox.timeoutSeconds = 60
        execute.agentConfig.agent = "command"
        var command = Marionette_Runner_V1_ServerCommand()
        command.payload = .executeTask(execute)
        #expect(
            FabricMapping.command(command)
                == .executeTask(
                    ExecuteTaskCommand(
                        taskID: "task_1", runID: "trun_1", attempt: 2, sessionID: "sess_1", prompt: "make", workDir: "src",
                        environment: ["A": "b"], timeoutSeconds: 60, agentSettings: AgentSettings(agent: "command"))))

        var detach = Marionette_Runner_V1_DetachSession()
        detach.sessionID = "sess_1"
        detach.suspend.strategy = "terminate"
        detach.suspend.reason = "idle_timeout"
        command.payload = .detachSession(detach)
        #expect(FabricMapping.command(command) == .detachSession(DetachSessionCommand(sessionID: "sess_1", strategy: "terminate", reason: "idle_timeout")))

        var open = Marionette_Runner_V1_OpenTunnelConnection()
        open.tunnelID = "tun_1"
        open.connectionID = "conn_1"
        open.localPort = 3000
        open.`protocol` = "http"
        command.payload = .openTunnelConnection(open)
        #expect(
            FabricMapping.command(command)
                == .openTunnelConnection(OpenTunnelConnectionCommand(tunnelID: "tun_1", connectionID: "conn_1", localPort: 3000, kind: "http")))
        var close = Marionette_Runner_V1_CloseTunnel()
        close.tunnelID = "tun_1"
        close.reason = "expired"
        command.payload = .closeTunnel(close)
        #expect(FabricMapping.command(command) == .closeTunnel(tunnelID: "tun_1", reason: "expired"))
    }

    @Test func eventsToTheWire() {
        let key = RunKey(taskID: "task_1", runID: "trun_1", attempt: 1)
        let completed = FabricMapping.message(
            .taskCompleted(TaskCompletion(key: key, success: false, error: "canceled", exitCode: 143, lastLogSequence: 12)),
            runnerID: "run_1")
        guard case .taskCompleted(let message)? = completed.payload else { Issue.record("wrong payload"); return }
        #expect(message.runID == "trun_1" && message.error == "canceled" && message.exitCode == 143 && message.lastLogSequence == 12)

        let heartbeat = FabricMapping.message(
            .heartbeat(HeartbeatSnapshot(status: "busy", uptimeSeconds: 5, cpuPercent: 12.5, memoryBytes: 1000, diskBytes: 4096, activeSessionID: "sess_1", runningRuns: [key])),
            runnerID: "run_1")
        guard case .heartbeat(let beat)? = heartbeat.payload else { Issue.record("wrong payload"); return }
        #expect(beat.runnerID == "run_1" && beat.status == "busy" && beat.resources.memoryBytes == 1000)
        #expect(beat.runningRuns.first?.runID == "trun_1" && beat.activeSessionID == "sess_1")
    }

    @Test func logMessagesBatchLinesAndSeparateGaps() {
        let context = RunLogContext(sessionID: "s", taskID: "t", runID: "r", tenantID: "ten", workspacePath: "")
        let line = { (n: Int64) in LogBuffer.Outgoing.line(LogLine(sequence: n, stream: "stdout", level: "info", content: "\(n)", timestampMs: 9)) }
        let messages = FabricMapping.logMessages(
            [line(1), line(2), .gap(first: 3, last: 4, reason: "log buffer overflow"), line(5)], context: context, runnerID: "run_1")
        #expect(messages.count == 3)
        guard case .batch(let first)? = messages[0].payload, case .gap(let gap)? = messages[1].payload,
            case .batch(let last)? = messages[2].payload
        else { Issue.record("wrong shapes"); return }
        #expect(first.entries.map(\.sequence) == [1, 2])
        // The ids travel once, in init; entries leave them empty.
        #expect(first.entries[0].runnerID.isEmpty && first.entries[0].runID.isEmpty && first.entries[0].timestampUnixMs == 9)
        #expect(gap.firstSequence == 3 && gap.lastSequence == 4)
        #expect(last.entries.map(\.sequence) == [5])

        guard case .init_p(let initMessage)? = FabricMapping.logsInit(context, runnerID: "run_1").payload else {
            Issue.record("init expected")
            return
        }
        #expect(initMessage.runID == "r" && initMessage.runnerID == "run_1" && initMessage.tenantID == "ten")
    }
}

@Suite struct SystemProbeTests {
    @Test func procStatParsing() {
        let stat = ProcFS.parseStat("1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 100 1000000 250 18446744073709551615")
        #expect(stat?.pid == 1234 && stat?.state == "S" && stat?.parent == 1 && stat?.processGroup == 1234)
        #expect(stat?.cpuTicks == 10 && stat?.residentPages == 250)
        #expect(ProcFS.stat(of: getpid())?.pid == getpid())
    }

    @Test func resourceSamplerSeesTheAgentProcess() {
        var sampler = ResourceSampler()
        let directory = temporaryDirectory()
        _ = FileManager.default.createFile(atPath: directory + "/f", contents: Data(repeating: 1, count: 100_000))
        _ = sampler.sample(processGroups: [], workspaceBase: directory)
        let sample = sampler.sample(processGroups: [], workspaceBase: directory)
        #expect(sample.memoryBytes > 1_000_000)
        #expect(sample.diskBytes >= 100_000)
        #expect(sample.cpuPercent >= 0)
    }

    @Test func treeIncludesDescendantsAndTrackedGroups() {
        func stat(_ pid: Int32, parent: Int32, group: Int32) -> ProcFS.ProcessStat {
            ProcFS.ProcessStat(pid: pid, state: "S", parent: parent, processGroup: group, session: group, cpuTicks: 1, residentPages: 1)
        }
        let processes = [stat(10, parent: 1, group: 10), stat(11, parent: 10, group: 11), stat(12, parent: 11, group: 11),
                         stat(20, parent: 1, group: 11), stat(21, parent: 20, group: 21), stat(30, parent: 1, group: 30)]
        let tree = Set(ResourceSampler.tree(root: 10, groups: [11], in: processes).map(\.pid))
        #expect(tree == [10, 11, 12, 20, 21])
    }

    @Test func sandboxDetection() {
        let probe = SandboxDetector.Probe(
            fileExists: { $0 == "/.dockerenv" || $0 == "/var/run/docker.sock" },
            readFile: { _ in nil },
            executableOnPath: { $0 == "bwrap" || $0 == "unshare" },
            isRoot: true)
        let environment = SandboxDetector.detect(probe)
        #expect(environment.isolation == "container")
        #expect(environment.types == ["docker", "bwrap", "namespace"])
        #expect(
            AgentRuntime.capabilities(executors: ["command"], sandbox: environment)
                == ["logs.ack.v1", "tunnel.data.v1", "media.rpc.v1", "agent.command", "sandbox.docker", "sandbox.bwrap", "sandbox.namespace"])
    }
}
