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
}
