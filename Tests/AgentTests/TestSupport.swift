import Foundation
import Logging
import Synchronization

@testable import Agent

/// Records the command handler's events.
final class RecordingSink: AgentEventSink {
    private let events = Mutex<[AgentEvent]>([])

    func send(_ event: AgentEvent) async {
        events.withLock { $0.append(event) }
    }

    var all: [AgentEvent] { events.withLock { $0 } }

    /// Waits until an event matches, at most `timeout`.
    func waitFor(timeout: Duration = .seconds(15), _ predicate: (AgentEvent) -> Bool) async -> AgentEvent? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let found = all.first(where: predicate) { return found }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return all.first(where: predicate)
    }

    /// Waits long: in a full parallel run on 2 cores a short task can take many seconds to finish.
    func completion(run runID: String, timeout: Duration = .seconds(60)) async -> TaskCompletion? {
        let event = await waitFor(timeout: timeout) {
            if case .taskCompleted(let completion) = $0 { return completion.key.runID == runID }
            return false
        }
        if case .taskCompleted(let completion)? = event { return completion }
        return nil
    }
}

func temporaryDirectory(_ name: String = #function) -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "agent-tests-\(safe)-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every line of a run currently in the buffer (acknowledging nothing).
func bufferedLines(_ buffer: LogBuffer, run runID: String) async -> [LogLine] {
    var lines: [LogLine] = []
    var after: Int64 = 0
    while true {
        let batch = await buffer.nextBatch(runID, afterWire: after)
        if batch.isEmpty { return lines }
        for item in batch {
            if case .line(let line) = item { lines.append(line) }
        }
        after = batch.last!.last
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "agent-tests")
    // AGENT_TEST_LOG=debug shows the agent's own log while debugging a test.
    logger.logLevel = ProcessInfo.processInfo.environment["AGENT_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
    return logger
}()

/// Keeps an agent's log in memory at debug level, so a failed wait can show what the agent did.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "agent-test") { _ in Handler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    /// The last `limit` lines.
    func tail(_ limit: Int = 60) -> String {
        lines.withLock { $0.suffix(limit).joined(separator: "\n") }
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var logLevel: Logger.Level = .debug
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let time = String(format: "%.3f", Date().timeIntervalSince1970)
            recorder.append("\(time) \(event.level) \(event.message) \(fields.joined(separator: " "))")
        }
    }
}
