import Testing

@testable import Agent

@Suite struct AgentDurationParserTests {
    @Test func plainSecondsAndUnits() {
        #expect(AgentDurationParser.parse("30") == .seconds(30))
        #expect(AgentDurationParser.parse("1.5") == .milliseconds(1500))
        #expect(AgentDurationParser.parse("500ms") == .milliseconds(500))
        #expect(AgentDurationParser.parse("2s") == .seconds(2))
        #expect(AgentDurationParser.parse("1m30s") == .seconds(90))
        #expect(AgentDurationParser.parse("1h") == .seconds(3600))
        #expect(AgentDurationParser.parse("250us") == .microseconds(250))
        #expect(AgentDurationParser.parse(" 10s ") == .seconds(10))
        #expect(AgentDurationParser.parse("0") == .zero)
    }

    @Test func rejectsGarbage() {
        for text in ["", "s", "10x", "-5", "-1s", "abc", "5 s", "ms10", "1.2.3s"] {
            #expect(AgentDurationParser.parse(text) == nil, "\(text)")
        }
    }
}
