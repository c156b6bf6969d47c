import Core
import Testing

struct EventPatternTests {
    @Test func exactResourceWildcardBareAndStar() throws {
        let exact = try EventPattern(parsing: "task.completed")
        #expect(exact.matches("task.completed"))
        #expect(!exact.matches("task.completed.more") && !exact.matches("task.failed"))
        let wildcard = try EventPattern(parsing: "task.*")
        #expect(wildcard.matches("task.created") && wildcard.matches("task.failed"))
        #expect(!wildcard.matches("tasks.created") && !wildcard.matches("task"))
        let bare = try EventPattern(parsing: "task")
        #expect(bare.matches("task.started") && !bare.matches("tasks.started") && !bare.matches("session.created"))
        #expect(try EventPattern(parsing: "*").matches("permission.requested"))
        #expect(EventPattern.any([], match: "stream.started"))
        #expect(EventPattern.any([exact, try EventPattern(parsing: "stream")], match: "stream.failed"))
        #expect(!EventPattern.any([exact], match: "stream.failed"))
    }

    @Test(arguments: ["", "task.*.x", "*task", "ta*", "task completed", "task.comp*", "session/created", String(repeating: "a", count: 129)])
    func badPatternsAreRefused(_ text: String) {
        #expect(throws: APIError.self) { try EventPattern(parsing: text) }
    }
}
