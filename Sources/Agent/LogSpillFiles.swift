#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The spill files of the log buffer: `<workspace>/.marionette/state/logs/<run_id>.ndjson`, one
/// JSON `LogLine` per line (runner-protocol.md §9). Written when the memory budget is exhausted,
/// read back sequentially when the spilled range is (re)sent, removed when it is acknowledged.
/// Lines are encoded by `LogSpillCodec` and written in 64 KiB chunks (a `write` per line cost
/// more than the line); a run's pending chunk is written before its file is read.
///
/// Not thread-safe: owned by the `LogBuffer` actor, never shared.
final class LogSpillFiles {
    private var writers: [String: Int32] = [:]
    private var readers: [String: Reader] = [:]
    /// Encoded lines not yet written, per run.
    private var pending: [String: [UInt8]] = [:]
    static let chunkBytes = 64 << 10

    init() {}

    deinit {
        for (runID, fd) in writers {
            if let bytes = pending[runID] { _ = bytes.withUnsafeBytes { writeAll(fd, $0) } }
            close(fd)
        }
        for reader in readers.values { reader.close() }
    }

    static func directory(for context: RunLogContext) -> String {
        context.workspacePath + "/.marionette/state/logs"
    }

    static func path(for context: RunLogContext) -> String {
        directory(for: context) + "/" + sanitized(context.runID) + ".ndjson"
    }

    /// Appends a line; false when it could not be written (no workspace, disk full, …). Lines of
    /// a chunk whose write fails later are missing from the file, which the reader reports as a gap.
    func write(_ line: LogLine, for context: RunLogContext) -> Bool {
        guard !context.workspacePath.isEmpty else { return false }
        let fd: Int32
        if let open = writers[context.runID] {
            fd = open
        } else {
            guard (try? FileManager.default.createDirectory(
                atPath: Self.directory(for: context), withIntermediateDirectories: true)) != nil
            else { return false }
            fd = Glibc.open(Self.path(for: context), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return false }
            writers[context.runID] = fd
        }
        var bytes = pending.removeValue(forKey: context.runID) ?? []
        LogSpillCodec.encode(line, into: &bytes)
        bytes.append(0x0A)
        guard bytes.count >= Self.chunkBytes else {
            pending[context.runID] = bytes
            return true
        }
        let written = bytes.withUnsafeBytes { writeAll(fd, $0) }
        bytes.removeAll(keepingCapacity: true)
        pending[context.runID] = bytes
        return written
    }

    /// Writes the run's pending chunk (before its file is read).
    private func flush(_ runID: String) {
        guard let fd = writers[runID], var bytes = pending.removeValue(forKey: runID), !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBytes { writeAll(fd, $0) }
        bytes.removeAll(keepingCapacity: true)
        pending[runID] = bytes
    }

    /// Lines with `first ≤ sequence ≤ last` (local numbering), stopping early after `maxBytes`.
    /// Reads forward from the previous position when possible.
    func read(for context: RunLogContext, first: Int64, last: Int64, maxBytes: Int) -> [LogLine] {
        flush(context.runID)
        var reader: Reader
        if let existing = readers[context.runID], existing.position <= first {
            reader = existing
        } else {
            readers[context.runID]?.close()
            guard let opened = Reader(path: Self.path(for: context)) else { return [] }
            reader = opened
        }
        var lines: [LogLine] = []
        var bytes = 0
        while let line = reader.next() {
            if line.sequence < first { continue }
            if line.sequence > last || (bytes >= maxBytes && !lines.isEmpty) {
                reader.unread(line)
                break
            }
            lines.append(line)
            bytes += line.chargedBytes
            if line.sequence == last { break }
        }
        readers[context.runID] = reader
        return lines
    }

    /// Forgets the reading position (a new upload stream starts again from its ack).
    func rewind(_ runID: String) {
        readers.removeValue(forKey: runID)?.close()
    }

    func remove(_ context: RunLogContext) {
        pending.removeValue(forKey: context.runID)
        if let fd = writers.removeValue(forKey: context.runID) { close(fd) }
        readers.removeValue(forKey: context.runID)?.close()
        unlink(Self.path(for: context))
    }

    private func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    private static func sanitized(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }

    /// Sequential NDJSON reader with one line of push-back.
    final class Reader {
        private var fd: Int32
        private var buffer: [UInt8] = []
        private var start = 0
        private var pushedBack: LogLine?
        private let decoder = JSONDecoder()
        /// Sequence of the next line this reader returns (0 before the first read).
        private(set) var position: Int64 = 0

        init?(path: String) {
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { return nil }
        }

        func close() {
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }

        func unread(_ line: LogLine) {
            pushedBack = line
            position = line.sequence
        }

        func next() -> LogLine? {
            if let line = pushedBack {
                pushedBack = nil
                position = line.sequence + 1
                return line
            }
            while true {
                if let newline = buffer[start...].firstIndex(of: 0x0A) {
                    let record = buffer[start..<newline]
                    start = newline + 1
                    if let line = LogSpillCodec.decode(record) ?? (try? decoder.decode(LogLine.self, from: Data(record))) {
                        position = line.sequence + 1
                        return line
                    }
                    continue  // a torn record (crash during write): skip it
                }
                if start > 0 {
                    buffer.removeSubrange(0..<start)
                    start = 0
                }
                if fd < 0 { return nil }
                var chunk = [UInt8](repeating: 0, count: 256 * 1024)
                let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                // End of file for now; the file may grow, so a later call reads on.
                if count <= 0 { return nil }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }
}
