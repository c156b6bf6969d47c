import Core
import NIOCore
import Orchestrator

/// Follow records of log lines written straight into a `ByteBuffer` (api.md §4.2): the hot path
/// of `?follow=true` (up to 100,000 lines/s), where `JSONEncoder` cost ~40 µs and several
/// allocations per line. Keys come in a fixed order with `"type"` first, as the spec lists them
/// (`JSONEncoder` on Linux orders keys by hash, differently per record). Same fields and string
/// escapes as the `Encodable` form of `LogRecord`.
struct LogRecordJSON {
    /// Consecutive lines usually share their timestamps' millisecond: format each one once. One
    /// slot per field, since a line's `timestamp` and `created_at` differ and would evict each other.
    private var emitted = FormattedTimestamp()
    private var created = FormattedTimestamp()
    /// The ids every line of a run repeats, written once per run.
    private var runIDs: (session: String, task: String, run: String, runner: String)?
    private var runIDsJSON: [UInt8] = []

    /// `{"type":"log",...}` without a trailing newline.
    mutating func write(_ record: LogRecord, into buffer: inout ByteBuffer) {
        Self.writeField(#"{"type":"log","id":"#, record.id, into: &buffer)
        writeRunIDs(record, into: &buffer)
        Self.writeField(#","stream":"#, record.stream, into: &buffer)
        Self.writeField(#","level":"#, record.level, into: &buffer)
        Self.writeField(#","content":"#, record.content, into: &buffer)
        buffer.writeStaticString(#","sequence":"#)
        Self.writeInteger(record.sequence, into: &buffer)
        if let timestamp = record.timestamp {
            buffer.writeStaticString(#","timestamp":"#)
            emitted.write(timestamp, into: &buffer)
        }
        buffer.writeStaticString(#","metadata":{"#)
        if !record.metadata.isEmpty {
            var first = true
            for key in record.metadata.keys.sorted() {
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                Self.writeString(record.metadata[key] ?? "", into: &buffer)
            }
        }
        buffer.writeStaticString(#"},"created_at":"#)
        created.write(record.createdAt, into: &buffer)
        if let attempt = record.attempt {
            buffer.writeStaticString(#","attempt":"#)
            Self.writeInteger(Int64(attempt), into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    private mutating func writeRunIDs(_ record: LogRecord, into buffer: inout ByteBuffer) {
        if let ids = runIDs, ids.run == record.runID, ids.session == record.sessionID, ids.task == record.taskID,
            ids.runner == record.runnerID
        {
            buffer.writeBytes(runIDsJSON)
            return
        }
        var ids = ByteBuffer()
        Self.writeField(#","session_id":"#, record.sessionID, into: &ids)
        Self.writeField(#","task_id":"#, record.taskID, into: &ids)
        Self.writeField(#","run_id":"#, record.runID, into: &ids)
        Self.writeField(#","runner_id":"#, record.runnerID, into: &ids)
        runIDs = (record.sessionID, record.taskID, record.runID, record.runnerID)
        runIDsJSON = Array(ids.readableBytesView)
        buffer.writeBytes(runIDsJSON)
    }

    /// `prefix` (the key with its punctuation) and the value as a JSON string.
    private static func writeField(_ prefix: StaticString, _ value: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(prefix)
        writeString(value, into: &buffer)
    }

    /// The last timestamp written in one field, as its quoted RFC 3339 text.
    private struct FormattedTimestamp {
        var milliseconds: Int64 = .min
        var quoted: [UInt8] = []

        mutating func write(_ timestamp: Timestamp, into buffer: inout ByteBuffer) {
            if timestamp.milliseconds != milliseconds {
                milliseconds = timestamp.milliseconds
                quoted = Array(("\"" + timestamp.rfc3339 + "\"").utf8)
            }
            buffer.writeBytes(quoted)
        }
    }

    static func writeInteger(_ value: Int64, into buffer: inout ByteBuffer) {
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold UInt64.max; filled from the right.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var index = raw.count
            repeat {
                index -= 1
                raw[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer(rebasing: raw[index...])))
        }
    }

    /// A JSON string with `JSONEncoder`'s escapes (`JSONStringEscaping`).
    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { input in
            let count = JSONStringEscaping.escapedCount(input)
            buffer.writeInteger(UInt8(ascii: "\""))
            if count == input.count {
                buffer.writeBytes(UnsafeRawBufferPointer(input))
            } else {
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { JSONStringEscaping.write(input, to: $0) }
            }
            buffer.writeInteger(UInt8(ascii: "\""))
        }
    }
}
