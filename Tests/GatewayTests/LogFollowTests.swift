import Core
import Foundation
import NIOCore
import Testing

@testable import Gateway
@testable import Orchestrator

@Suite struct LogFollowEncodingTests {
    static func record(content: String, metadata: [String: String] = [:], timestamp: Timestamp? = nil, attempt: Int? = 2)
        -> LogRecord
    {
        LogRecord(
            id: "log_1", sessionID: "sess_1", taskID: "task_1", runID: "trun_1", runnerID: "run_1", stream: "stdout",
            level: "info", content: content, sequence: 9_876_543_210, timestamp: timestamp, metadata: metadata,
            createdAt: Timestamp(milliseconds: 1_764_000_000_123), attempt: attempt)
    }

    /// What `JSONEncoder` makes of the record (the `Encodable` form) plus `"type":"log"`.
    static func reference(_ record: LogRecord) throws -> NSDictionary {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as! [String: Any]
        object["type"] = "log"
        return object as NSDictionary
    }

    static func encoded(_ record: LogRecord) -> String {
        var encoder = LogRecordJSON()
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        encoder.write(record, into: &buffer)
        return String(buffer: buffer)
    }

    @Test(arguments: [
        "plain ascii line",
        "quotes \" and \\ backslashes / slash",
        "controls \n\r\t\u{08}\u{0C}\u{01}\u{1F} end",
        "unicode é 漢字 🚀 and \u{2028}",
        "",
    ])
    func sameObjectAsTheEncodableForm(_ content: String) throws {
        for record in [
            Self.record(content: content),
            Self.record(
                content: content, metadata: ["truncated": "true", "a\"b": "c\nd"],
                timestamp: Timestamp(milliseconds: 1_764_000_000_999), attempt: nil),
        ] {
            let text = Self.encoded(record)
            let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! NSDictionary
            #expect(parsed == (try Self.reference(record)))
            // "type" first, whatever the hash order of the rest would have been.
            #expect(text.hasPrefix(#"{"type":"log","id":"log_1","#))
            #expect(!text.contains("\n"))
        }
    }

    @Test func integersAndTimestampCache() {
        for value: Int64 in [0, 7, 10, 1_000_000, -42, .max, .min + 1] {
            var buffer = ByteBufferAllocator().buffer(capacity: 32)
            LogRecordJSON.writeInteger(value, into: &buffer)
            #expect(String(buffer: buffer) == String(value))
        }
        // Two records whose timestamps differ must not share the cached text.
        let a = Self.encoded(Self.record(content: "a", timestamp: Timestamp(milliseconds: 1_000)))
        var encoder = LogRecordJSON()
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        encoder.write(Self.record(content: "a", timestamp: Timestamp(milliseconds: 1_000)), into: &buffer)
        encoder.write(Self.record(content: "a", timestamp: Timestamp(milliseconds: 2_000)), into: &buffer)
        let both = String(buffer: buffer)
        #expect(both.hasPrefix(a))
        #expect(both.contains(#""timestamp":"1970-01-01T00:00:02.000Z""#))

        // The run ids written once per run follow a change of run.
        var next = Self.record(content: "b")
        next.runID = "trun_2"
        encoder.write(next, into: &buffer)
        let three = String(buffer: buffer)
        #expect(three.components(separatedBy: #""run_id":"trun_2""#).count == 2)
        #expect(three.components(separatedBy: #""run_id":"trun_1""#).count == 3)
    }

    static func run(last: Int64?, stored: Int64, endedAt: Int64?, updatedAt: Int64) -> TaskRunRecord {
        let columns = ["id", "task_id", "attempt", "status", "last_log_sequence", "stored_log_sequence", "queued_at", "ended_at", "updated_at"]
        let values: [SQLValue] = [
            .text("trun_1"), .text("task_1"), .int(1), .text("completed"), last.map(SQLValue.int) ?? .null, .int(stored),
            .timestamp(Timestamp(milliseconds: 0)), endedAt.map { .timestamp(Timestamp(milliseconds: $0)) } ?? .null,
            .timestamp(Timestamp(milliseconds: updatedAt)),
        ]
        return try! TaskRunRecord(row: SQLRow(columns: columns, values: values))
    }

    /// The follow stream ends when every reported line is stored, or once lines stopped arriving
    /// for 10 s after the run ended; a long upload that still progresses keeps it open.
    @Test func completionWaitsForAnUploadThatStillProgresses() {
        let now = Timestamp(milliseconds: 100_000)
        // All reported lines stored.
        #expect(LogFollow.logComplete(Self.run(last: 500, stored: 500, endedAt: 99_000, updatedAt: 99_000), now: now))
        // Missing lines, run ended 60 s ago but the last batch was stored 1 s ago: wait.
        #expect(!LogFollow.logComplete(Self.run(last: 500, stored: 300, endedAt: 40_000, updatedAt: 99_000), now: now))
        // Missing lines and nothing stored for 10 s after the end: give up.
        #expect(LogFollow.logComplete(Self.run(last: 500, stored: 300, endedAt: 40_000, updatedAt: 90_000), now: now))
        // Unknown last sequence: 10 s after the end (or the last stored batch).
        #expect(!LogFollow.logComplete(Self.run(last: nil, stored: 3, endedAt: 95_000, updatedAt: 95_000), now: now))
        #expect(LogFollow.logComplete(Self.run(last: nil, stored: 3, endedAt: 89_000, updatedAt: 89_000), now: now))
        // A run that never ended (canceled before start) has nothing to wait for.
        #expect(LogFollow.logComplete(Self.run(last: nil, stored: 0, endedAt: nil, updatedAt: 99_999), now: now))
    }
}
