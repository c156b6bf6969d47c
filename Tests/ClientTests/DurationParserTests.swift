import Client
import Testing

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("90s", 90.0), ("15m", 900.0), ("1h", 3600.0), ("2h30m", 9000.0), ("3600", 3600.0),
        ("0", 0.0), ("1.5", 1.5), ("500ms", 0.5), ("1h0m5s", 3605.0), (" 45s ", 45.0), ("1.5h", 5400.0),
    ])
    func parsesValidDurations(input: String, seconds: Double) throws {
        #expect(try DurationParser.seconds(input) == seconds)
    }

    @Test(arguments: ["", "abc", "10x", "-5", "h", "1h30", "5 m", "1e3"])
    func rejectsInvalidDurations(input: String) {
        #expect(throws: DurationParseError.self) { try DurationParser.seconds(input) }
    }

    @Test func wholeSecondsRounds() throws {
        #expect(try DurationParser.wholeSeconds("1.6") == 2)
        #expect(try DurationParser.wholeSeconds("2h30m") == 9000)
    }

    @Test func formatsSeconds() {
        #expect(DurationParser.format(seconds: 45) == "45s")
        #expect(DurationParser.format(seconds: 1800) == "30m")
        #expect(DurationParser.format(seconds: 3600) == "1h")
        #expect(DurationParser.format(seconds: 9000) == "2h30m")
        #expect(DurationParser.format(seconds: 3605) == "1h0m5s")
        #expect(DurationParser.format(seconds: 0) == "0s")
    }

    @Test func errorMessageNamesInput() {
        #expect(DurationParseError(input: "10x").description.contains("\"10x\""))
    }
}
