import Testing

@testable import Agent

@Suite struct SecretRedactorTests {
    @Test func replacesEveryOccurrenceOfTheKey() {
        let redactor = SecretRedactor(secrets: ["sk-ant-0123456789"])
        #expect(redactor.redact("key=sk-ant-0123456789 and again sk-ant-0123456789.") == "key=[redacted] and again [redacted].")
        #expect(redactor.redact("nothing here") == "nothing here")
        #expect(redactor.redact("sk-ant-012345678") == "sk-ant-012345678", "a prefix is not the key")
    }

    @Test func matchesAtTheEdgesBackToBackAndInMultibyteText() {
        let redactor = SecretRedactor(secrets: ["sk-ant-0123456789"])
        #expect(redactor.redact("sk-ant-0123456789") == "[redacted]")
        #expect(redactor.redact("sk-ant-0123456789sk-ant-0123456789") == "[redacted][redacted]")
        #expect(redactor.redact("é→sk-ant-0123456789←ü") == "é→[redacted]←ü")
        #expect(redactor.redact("") == "")
    }

    @Test func aWipedKeyIsNoLongerSearchedFor() {
        let secret = AgentSecret("sk-ant-0123456789")
        let redactor = SecretRedactor(secrets: [secret])
        #expect(!redactor.isEmpty)
        secret.wipe()
        #expect(redactor.isEmpty)
        #expect(redactor.redact("sk-ant-0123456789") == "sk-ant-0123456789")
    }

    @Test func shortOrEmptyKeysAreNotSearchedFor() {
        #expect(SecretRedactor(secrets: ["", "abc"]).isEmpty)
        #expect(SecretRedactor(secrets: ["abc"]).redact("abc abc") == "abc abc")
    }

    @Test func runOutputRedactsContentAndMetadata() async {
        let buffer = LogBuffer()
        await buffer.open(RunLogContext(sessionID: "s", taskID: "t", runID: "trun_r", tenantID: "", workspacePath: temporaryDirectory()))
        let output = RunOutput(runID: "trun_r", buffer: buffer, redactor: SecretRedactor(secrets: ["sk-secret-value"]))
        output.emit(stream: "stdout", level: "info", content: "echo sk-secret-value", metadata: ["input": "sk-secret-value"])
        await output.close()
        let lines = await bufferedLines(buffer, run: "trun_r")
        #expect(lines.map(\.content) == ["echo [redacted]"])
        #expect(lines.first?.metadata["input"] == "[redacted]")
    }
}
