import Crypto
import Fabric
import Foundation
import SwiftProtobuf
import Testing

/// Guards the committed code generated from proto/ (runner-protocol.md §1: "Generated Swift code
/// is committed; CI regenerates and fails on drift") and pins a few wire numbers of the contract.
@Suite("Generated runner protocol code")
struct GeneratedCodeTests {
    /// The repository root: this file is <root>/Tests/FabricTests/GeneratedCodeTests.swift.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static let driftMessage: Comment = "proto changed: run scripts/generate-proto.sh and commit the output"

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Every .proto under proto/, as paths relative to the repository root, sorted.
    static func protoFiles() throws -> [String] {
        let protoDir = repoRoot.appendingPathComponent("proto")
        guard let walker = FileManager.default.enumerator(atPath: protoDir.path) else {
            throw CocoaError(.fileNoSuchFile)
        }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".proto") {
                paths.append("proto/" + relative)
            }
        }
        return paths.sorted()
    }

    @Test("PROTO_SHA256 matches the .proto files")
    func protoChecksumsMatch() throws {
        let shaFile = Self.repoRoot.appendingPathComponent("Sources/Fabric/Generated/PROTO_SHA256")
        let recorded = try String(contentsOf: shaFile, encoding: .utf8)

        let protos = try Self.protoFiles()
        #expect(
            protos == ["proto/marionette/internal/v1/internal.proto", "proto/marionette/runner/v1/runner.proto"],
            Self.driftMessage
        )
        var expected = ""
        for path in protos {
            let data = try Data(contentsOf: Self.repoRoot.appendingPathComponent(path))
            expected += "\(Self.sha256Hex(data))  \(path)\n"
        }
        #expect(recorded == expected, Self.driftMessage)
    }

    @Test("RunnerMessage heartbeat round-trips through binary serialization")
    func heartbeatRoundTrip() throws {
        var message = Marionette_Runner_V1_RunnerMessage()
        message.heartbeat = .with {
            $0.runnerID = "run_BxKmNpVq1StGXR8a"
            $0.status = "busy"
            $0.uptimeSeconds = 86_400 * 400
            $0.resources = .with {
                $0.cpuPercent = 12.5
                $0.memoryBytes = 3 << 30
                $0.diskBytes = 5_000_000_000
            }
            $0.activeSessionID = "sess_1"
            $0.runningRuns = [.with { $0.taskID = "task_1"; $0.runID = "trun_1"; $0.attempt = 2 }]
        }
        let bytes: [UInt8] = try message.serializedBytes()
        let decoded = try Marionette_Runner_V1_RunnerMessage(serializedBytes: bytes)
        #expect(decoded == message)
        guard case .heartbeat(let heartbeat)? = decoded.payload else {
            Issue.record("expected a heartbeat payload, got \(String(describing: decoded.payload))")
            return
        }
        #expect(heartbeat.uptimeSeconds == 34_560_000)
        #expect(heartbeat.resources.memoryBytes == 3 << 30)
        #expect(heartbeat.runningRuns.first?.attempt == 2)
        // heartbeat is field 1 (tag 0x0A), runner_id its field 1.
        #expect(Array(bytes.prefix(1)) == [0x0A])
        #expect(message.textFormatString().hasPrefix("heartbeat {"))
    }

    @Test("StreamLogsMessage batch round-trips through binary serialization")
    func logBatchRoundTrip() throws {
        let entries = (1...3).map { n in
            Marionette_Runner_V1_LogEntry.with {
                $0.taskID = "task_1"
                $0.runID = "trun_1"
                $0.sessionID = "sess_1"
                $0.stream = "stdout"
                $0.level = "info"
                $0.content = "line \(n) ✓"
                $0.sequence = Int64(n)
                $0.timestampUnixMs = 1_700_000_000_000 + Int64(n)
                $0.metadata = n == 3 ? ["truncated": "true"] : [:]
                $0.tenantID = "ten_1"
                $0.runnerID = "run_1"
            }
        }
        var message = Marionette_Runner_V1_StreamLogsMessage()
        message.batch = .with { $0.entries = entries }
        let bytes: [UInt8] = try message.serializedBytes()
        let decoded = try Marionette_Runner_V1_StreamLogsMessage(serializedBytes: bytes)
        #expect(decoded == message)
        #expect(decoded.batch.entries.map(\.sequence) == [1, 2, 3])
        #expect(decoded.batch.entries[2].metadata["truncated"] == "true")
        // batch is field 3 of StreamLogsMessage: tag (3 << 3) | 2 = 0x1A.
        #expect(bytes.first == 0x1A)

        // gap = 4: LogGap{first_sequence = 5} is 0x22 0x02 0x08 0x05.
        var gap = Marionette_Runner_V1_StreamLogsMessage()
        gap.gap = .with { $0.firstSequence = 5 }
        #expect(try gap.serializedBytes() == [0x22, 0x02, 0x08, 0x05] as [UInt8])

        // StreamLogsResponse.acked_sequence = 5, final = 6.
        let ack = try Marionette_Runner_V1_StreamLogsResponse(serializedBytes: [0x28, 0xF0, 0x01, 0x30, 0x01] as [UInt8])
        #expect(ack.ackedSequence == 240)
        #expect(ack.final == true)
    }

    @Test("ServerCommand execute_task round-trips through binary serialization")
    func executeTaskRoundTrip() throws {
        var command = Marionette_Runner_V1_ServerCommand()
        command.executeTask = .with {
            $0.taskID = "task_1"
            $0.runID = "trun_1"
            $0.attempt = 1
            $0.sessionID = "sess_1"
            $0.prompt = "fix the build"
            $0.workDir = "/workspace"
            $0.env = ["A": "1", "B": "2"]
            $0.sandbox = .with {
                $0.mode = "runner-is-sandbox"
                $0.timeoutSeconds = 3600
                $0.cpus = 1.5
                $0.network = .with { $0.level = "allow_list"; $0.allowedHosts = ["example.com"] }
            }
            $0.agentConfig = .with { $0.agent = "claude"; $0.extra = ["k": "v"]; $0.agentVersion = "1.0.45" }
        }
        let bytes: [UInt8] = try command.serializedBytes()
        let decoded = try Marionette_Runner_V1_ServerCommand(serializedBytes: bytes)
        #expect(decoded == command)
        #expect(decoded.executeTask.sandbox.network.allowedHosts == ["example.com"])
        #expect(decoded.executeTask.env == ["A": "1", "B": "2"])
        #expect(bytes.first == 0x0A)  // execute_task is field 1
        #expect(command.textFormatString().hasPrefix("execute_task {"))

        // Internal router wraps a ServerCommand unchanged (runner-protocol.md §13).
        let request = Marionette_Internal_V1_DeliverCommandRequest.with {
            $0.runnerID = "run_1"
            $0.command = command
            $0.originReplicaID = "rep_a"
        }
        let roundTripped = try Marionette_Internal_V1_DeliverCommandRequest(
            serializedBytes: try request.serializedBytes() as [UInt8]
        )
        #expect(roundTripped.command == command)
        #expect(Marionette_Internal_V1_DeliveryStatus.queueFull.rawValue == 3)
    }

    @Test("oneof cases carry the field numbers of runner-protocol.md")
    func oneofFieldNumbers() throws {
        // RunnerMessage.stream_status = 19: tag (19 << 3) | 2 = 0x9A 0x01; StreamStatus{stream_id = "s"}.
        let streamStatus: [UInt8] = [0x9A, 0x01, 0x03, 0x0A, 0x01, 0x73]
        let runnerMessage = try Marionette_Runner_V1_RunnerMessage(serializedBytes: streamStatus)
        #expect(runnerMessage.streamStatus.streamID == "s")
        #expect(try runnerMessage.serializedBytes() == streamStatus)

        // RunnerMessage.workspace_synced = 21 (0xAA 0x01), permission_response_ack = 20 (0xA2 0x01).
        var synced = Marionette_Runner_V1_RunnerMessage()
        synced.workspaceSynced = .with { $0.totalSize = 1 }
        #expect(try synced.serializedBytes() == [0xAA, 0x01, 0x02, 0x28, 0x01] as [UInt8])
        var ack = Marionette_Runner_V1_RunnerMessage()
        ack.permissionResponseAck = .with { $0.permissionID = "p" }
        #expect(try ack.serializedBytes() == [0xA2, 0x01, 0x03, 0x12, 0x01, 0x70] as [UInt8])

        // Reserved 11 (old tunnel_data) decodes as an unknown field, not as a payload.
        let legacyTunnelData = try Marionette_Runner_V1_RunnerMessage(serializedBytes: [0x5A, 0x00] as [UInt8])
        #expect(legacyTunnelData.payload == nil)
        #expect(!legacyTunnelData.unknownFields.data.isEmpty)

        // ServerCommand.drain = 15 (0x7A), open_tunnel_connection = 11 (0x5A), start_stream = 13 (0x6A).
        let drain = try Marionette_Runner_V1_ServerCommand(serializedBytes: [0x7A, 0x03, 0x0A, 0x01, 0x78] as [UInt8])
        #expect(drain.drain.reason == "x")
        let open = try Marionette_Runner_V1_ServerCommand(serializedBytes: [0x5A, 0x02, 0x18, 0x50] as [UInt8])
        #expect(open.openTunnelConnection.localPort == 80)
        var start = Marionette_Runner_V1_ServerCommand()
        start.startStream = .with { $0.config = .with { $0.xvfb = true } }
        #expect(try start.serializedBytes() == [0x6A, 0x04, 0x22, 0x02, 0x60, 0x01] as [UInt8])
        // Reserved 4 (old create_tunnel) is unknown.
        #expect(try Marionette_Runner_V1_ServerCommand(serializedBytes: [0x22, 0x00] as [UInt8]).payload == nil)

        // MediaUp.cursor_position = 7 carries two floats; MediaDown.viewers = 5.
        var up = Marionette_Runner_V1_MediaUp()
        up.cursorPosition = .with { $0.x = 0.5; $0.y = 0.25 }
        #expect(up.textFormatString().contains("cursor_position {"))
        let upBytes: [UInt8] = try up.serializedBytes()
        #expect(upBytes.prefix(3) == [0x3A, 0x0A, 0x0D])  // field 7, len 10, x = fixed32 field 1
        let viewers = try Marionette_Runner_V1_MediaDown(serializedBytes: [0x2A, 0x02, 0x08, 0x02] as [UInt8])
        #expect(viewers.viewers.count == 2)

        // MediaDown.input = 3 with InputEvent.mouse = 3 and frame_width = 9.
        var input = Marionette_Runner_V1_MediaDown()
        input.input = .with {
            $0.mouse = .with { $0.action = .down; $0.button = 2 }
            $0.frameWidth = 1
        }
        // MouseEvent{action = DOWN (2), button = 2} = 08 02 20 02; frame_width = 9 -> tag 0x48.
        #expect(
            try input.serializedBytes() == [0x1A, 0x08, 0x1A, 0x04, 0x08, 0x02, 0x20, 0x02, 0x48, 0x01] as [UInt8]
        )

        // The gRPC method names of the service.
        #expect(
            Marionette_Runner_V1_RunnerService.Method.Connect.descriptor.fullyQualifiedMethod
                == "marionette.runner.v1.RunnerService/Connect"
        )
        #expect(
            Marionette_Internal_V1_InternalRouterService.Method.DeliverCommand.descriptor.fullyQualifiedMethod
                == "marionette.internal.v1.InternalRouterService/DeliverCommand"
        )
    }
}
