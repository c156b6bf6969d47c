import CShims
import Testing

@testable import Agent

@Suite struct AgentSecretTests {
    @Test func holdsTheKeyUntilWipedThenZeroesItsBytes() throws {
        let secret = AgentSecret("sk-ant-api03-abcdef")
        #expect(secret.string == "sk-ant-api03-abcdef" && secret.byteCount == 19 && !secret.isWiped)
        // The buffer the key lived in, read after the wipe: all zero, not just forgotten.
        let address = secret.withBytes { UInt(bitPattern: $0.baseAddress) }
        secret.wipe()
        let after = try #require(UnsafeRawPointer(bitPattern: address))
        #expect(UnsafeRawBufferPointer(start: after, count: 19).allSatisfy { $0 == 0 })
        #expect(secret.isWiped && secret.string.isEmpty && secret.withBytes(\.count) == 0)
        secret.wipe()  // twice is fine
        #expect(AgentSecret("").isWiped)
    }

    @Test func settingsCompareByValueAndAnEmptyKeyIsNone() {
        #expect(AgentSettings(agent: "claude", apiKey: "sk-1") == AgentSettings(agent: "claude", apiKey: "sk-1"))
        #expect(AgentSettings(agent: "claude", apiKey: "sk-1") != AgentSettings(agent: "claude", apiKey: "sk-2"))
        #expect(AgentSettings(agent: "claude").credential == nil && AgentSettings(agent: "claude").apiKey == "")
    }

    @Test func theProcessCanBeMadeUndumpable() {
        #expect(ProcessHardening.isDumpable)
        #expect(ProcessHardening.keepMemoryPrivate() == nil)
        #expect(!ProcessHardening.isDumpable)
        _ = mshim_set_dumpable(1)  // the test process's crash dumps stay useful
        #expect(ProcessHardening.isDumpable)
    }
}
