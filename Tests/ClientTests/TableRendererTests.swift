import Client
import Testing

@Suite struct TableRendererTests {
    @Test func alignsColumnsWithTwoSpaces() {
        let text = TableRenderer.render(
            headers: ["ID", "NAME", "STATUS"],
            rows: [["sess_1", "a", "active"], ["sess_22", "longer-name", "pending"]]
        )
        #expect(
            text == """
                ID       NAME         STATUS
                sess_1   a            active
                sess_22  longer-name  pending

                """
        )
    }

    @Test func noTrailingSpacesAndShortRows() {
        let text = TableRenderer.render(headers: ["A", "LAST SEEN"], rows: [["x"], ["yy", ""]])
        for line in text.split(separator: "\n") { #expect(line.last != " ") }
        #expect(text == "A   LAST SEEN\nx\nyy\n")
    }

    @Test func headerOnly() {
        #expect(TableRenderer.render(headers: ["ID"], rows: []) == "ID\n")
    }

    @Test func fieldLines() {
        let text = TableRenderer.fields([("ID", "task_1"), ("Prompt", "line one\nline two\n"), ("Status", "ok")])
        #expect(text == "ID: task_1\nPrompt: line one\n  line two\nStatus: ok\n")
    }

    @Test func truncatesLongText() {
        let long = String(repeating: "x", count: 41)
        let cut = TextTruncation.truncate(long)
        #expect(cut.count == 40)
        #expect(cut == String(repeating: "x", count: 37) + "...")
        let exact = String(repeating: "y", count: 40)
        #expect(TextTruncation.truncate(exact) == exact)
        #expect(TextTruncation.truncate("short") == "short")
        #expect(TextTruncation.truncate("abcdef", limit: 5) == "ab...")
    }

    @Test func cellsAreSingleLine() {
        #expect(TextTruncation.cell("fix the\nbug\tplease\n") == "fix the bug please")
        let prompt = "Write a very long prompt that goes over forty characters\nsecond line"
        #expect(TextTruncation.cell(prompt) == "Write a very long prompt that goes ov...")
    }
}
