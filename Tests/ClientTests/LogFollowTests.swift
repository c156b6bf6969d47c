import Client
import Foundation
import Testing

@Suite struct LogFollowTests {
    func log(_ run: String, _ attempt: Int, _ sequence: Int, _ content: String = "x") -> JSONValue {
        [
            "type": "log", "run_id": .string(run), "attempt": .int(attempt), "sequence": .int(sequence),
            "level": "info", "content": .string(content), "timestamp": "2025-03-01T10:00:05.123Z",
        ]
    }

    @Test func resumeSkipsDuplicatesAndOlderRuns() {
        var state = LogResumeState()
        #expect(!state.hasPosition)
        let r1 = state.accept(log("run_1", 1, 1))
        #expect(r1)
        let r2 = state.accept(log("run_1", 1, 2))
        #expect(r2)
        let r3 = state.accept(log("run_1", 1, 2))
        #expect(!r3)  // replayed after reconnect
        let r4 = state.accept(log("run_1", 1, 1))
        #expect(!r4)
        let r5 = state.accept(log("run_2", 2, 1))
        #expect(r5)  // new run starts at 1 again
        let r6 = state.accept(log("run_1", 1, 3))
        #expect(!r6)  // late line of an older attempt
        #expect(state.runID == "run_2")
        #expect(state.sequence == 1)
        #expect(state.attempt == 2)
    }

    @Test func resumeQuery() {
        var base = LogQuery()
        base.tail = 20
        base.levels = ["error"]
        var state = LogResumeState()
        #expect(state.query(base: base) == base)  // nothing shown yet: keep tail
        _ = state.accept(log("run_1", 1, 7))
        let resumed = state.query(base: base)
        #expect(resumed.afterSequence == 7)
        #expect(resumed.runID == "run_1")
        #expect(resumed.tail == nil)
        #expect(resumed.levels == ["error"])
        #expect(
            resumed.queryItems == [QueryItem("level", "error"), QueryItem("run_id", "run_1"), QueryItem("after_sequence", "7")])
    }

    @Test func explicitStartingPoint() {
        var state = LogResumeState(runID: "run_1", sequence: 5)
        #expect(state.hasPosition)
        let r7 = state.accept(log("run_1", 1, 5))
        #expect(!r7)
        let r8 = state.accept(log("run_1", 1, 6))
        #expect(r8)
    }

    @Test func backoffDoublesToThirtySecondsWithJitter() {
        var backoff = ReconnectBackoff()
        let delays = (0..<7).map { _ in backoff.nextDelay(random: 0) }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30])
        backoff.reset()
        #expect(backoff.nextDelay(random: 1) == 1.2)
        #expect(backoff.nextDelay(random: -1) == 1.6)
        backoff.reset()
        for _ in 0..<100 {
            let delay = backoff.nextDelay(random: Double.random(in: -1...1))
            #expect(delay >= 0.8 && delay <= 36)
        }
    }

    @Test func formatsLogLinesWithRunHeaders() {
        var formatter = LogLineFormatter(timeZone: TimeZone(identifier: "UTC")!)
        let r9 = formatter.lines(for: log("run_1", 1, 1, "hello\n"))
        #expect(r9 == ["--- run run_1 (attempt 1) ---", "[10:00:05] [info] hello"])
        let r10 = formatter.lines(for: log("run_1", 1, 2, "again"))
        #expect(r10 == ["[10:00:05] [info] again"])
        let r11 = formatter.lines(for: log("run_2", 2, 1, "retry"))
        #expect(r11 == ["--- run run_2 (attempt 2) ---", "[10:00:05] [info] retry"])

        var full = LogLineFormatter(fullTimestamps: true, timeZone: TimeZone(identifier: "UTC")!)
        var record = log("run_9", 1, 1, "x")
        record["attempt"] = nil
        record["level"] = "error"
        #expect(full.lines(for: record, attempt: 3) == ["--- run run_9 (attempt 3) ---", "[2025-03-01T10:00:05.123Z] [error] x"])
    }

    @Test func mergesListPages() {
        let first: JSONValue = ["items": [["id": "a"]], "total_count": 2, "has_more": true, "next_cursor": "c"]
        let second: JSONValue = ["items": [["id": "b"]], "total_count": 2, "has_more": false]
        #expect(ListEnvelope.hasMore(first))
        #expect(ListEnvelope.nextCursor(first) == "c")
        #expect(!ListEnvelope.hasMore(second))
        let merged = ListEnvelope.merge([first, second])
        #expect(JSONWriter.compact(merged) == #"{"items":[{"id":"a"},{"id":"b"}],"total_count":2,"has_more":false}"#)
    }
}
