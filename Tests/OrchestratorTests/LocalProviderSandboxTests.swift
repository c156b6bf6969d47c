import Foundation
import Testing

@testable import Orchestrator

/// What the local provider's bwrap sandbox binds back over its private /tmp (a checkout under /tmp
/// holds the agent binary and the test doubles of the CLIs and adb).
struct LocalProviderSandboxTests {
    @Test func toolsUnderTmpBringTheirTopLevelFolderAndOthersTheirOwn() {
        let folders = LocalProvider.sandboxReadOnlyFolders(
            agentBinary: "/tmp/fresh8/.build/debug/marionette-agent",
            environment: [
                "MARIONETTE_CLAUDE_BIN": "/tmp/fresh8/Tests/Doubles/claude/claude",
                "MARIONETTE_ADB": "/tmp/other/adb",
                "MARIONETTE_CODEX_BIN": "/opt/codex/bin/codex",
                "MARIONETTE_SCRCPY_SERVER": "relative/scrcpy-server",
                "HOME": "/tmp/home",
            ])
        #expect(folders == ["/tmp/fresh8", "/opt/codex/bin", "/tmp/other"])  // agent, then CLAUDE, CODEX, ADB
        #expect(LocalProvider.sandboxReadOnlyFolders(agentBinary: "/usr/bin/marionette-agent", environment: [:]) == ["/usr/bin"])
    }

    /// A PulseAudio socket under /tmp (desktop audio) brings its folder when it exists; a missing
    /// one or one elsewhere binds nothing (bwrap would refuse to start the runner).
    @Test func pulseAudioSocketUnderTmpIsBoundWhenItExists() throws {
        let folder = "/tmp/marionette-pulse-test-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func folders(_ server: String) -> [String] {
            LocalProvider.sandboxReadOnlyFolders(agentBinary: "/usr/bin/marionette-agent", environment: ["PULSE_SERVER": server])
        }
        #expect(folders("unix:\(folder)/native") == ["/usr/bin", folder])
        #expect(folders("\(folder)/native") == ["/usr/bin", folder])
        #expect(folders("unix:/tmp/marionette-pulse-missing-folder/native") == ["/usr/bin"])
        #expect(folders("unix:/nonexistent/pulse/native") == ["/usr/bin"])
        #expect(folders("tcp:127.0.0.1:4713") == ["/usr/bin"])
    }
}
