import Client
import Testing

@Suite struct LabelParserTests {
    func pairs(_ values: [String]) throws -> [String] {
        try LabelParser.parse(values).map { "\($0.0)=\($0.1)" }
    }

    @Test func commaSeparatedAndRepeated() throws {
        #expect(try pairs(["env=prod,team=backend", "tier=1"]) == ["env=prod", "team=backend", "tier=1"])
    }

    @Test func laterValueWinsKeepingPosition() throws {
        #expect(try pairs(["a=1,b=2", "a=3"]) == ["a=3", "b=2"])
    }

    @Test func valueMayContainEqualsAndBeEmpty() throws {
        #expect(try pairs(["expr=a=b", "empty="]) == ["expr=a=b", "empty="])
    }

    @Test func ignoresEmptyItemsAndTrims() throws {
        #expect(try pairs(["a=1,", " b = 2 "]) == ["a=1", "b=2"])
        #expect(try pairs([]) == [])
    }

    @Test(arguments: ["novalue", "=x", "a=1,bad"])
    func rejectsMalformed(input: String) {
        #expect(throws: LabelParseError.self) { try LabelParser.parse([input]) }
    }

    @Test func joinedForAdminAPI() throws {
        #expect(LabelParser.joined(try LabelParser.parse(["env=prod", "team=backend"])) == "env=prod,team=backend")
    }

    @Test func commaListSplitting() {
        #expect(CommaList.split(["pending,running", "failed", " ,x"]) == ["pending", "running", "failed", "x"])
    }

    @Test func publicLabelQuery() {
        let items = labelQueryItems([("env", "prod"), ("team", "a b")])
        #expect(items == [QueryItem("labels[env]", "prod"), QueryItem("labels[team]", "a b")])
        #expect(MarionetteClient.percentEncode("labels[env]") == "labels%5Benv%5D")
        #expect(MarionetteClient.percentEncode("a b/c~") == "a%20b%2Fc~")
    }
}
