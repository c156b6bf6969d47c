import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Reads `?follow=true` NDJSON like `mctl tasks logs -f`: reconnects after a dropped stream and
/// resumes from the last line it saw, until the `end` record.
struct LogFollower {
    struct Line: Equatable, Sendable {
        let runID: String
        let sequence: Int64
        let content: String
        let stream: String
        var level = ""
        var metadata: [String: String] = [:]
    }

    struct Result: Sendable {
        var lines: [Line] = []
        /// The `end` record's status, once seen.
        var endStatus: String?
        var reconnects = 0
    }

    /// How many follow streams the server has answered so far; a test that kills the server waits
    /// for a new stream first, so every kill cuts a live one.
    final class Streams: Sendable {
        private let count = Mutex(0)
        var answered: Int { count.withLock { $0 } }
        func noteAnswered() { count.withLock { $0 += 1 } }

        func wait(forAtLeast wanted: Int, timeout: Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + timeout
            while answered < wanted {
                guard ContinuousClock.now < deadline else { throw E2EError("follow stream \(wanted) not answered in \(timeout)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    let baseURL: @Sendable () -> String
    let key: String
    let taskID: String
    var streams = Streams()

    func follow(timeout: Duration = .seconds(120)) async throws -> Result {
        var result = Result()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var url = baseURL() + "/api/v1/tasks/\(taskID)/logs?follow=true"
            if let last = result.lines.last { url += "&after_sequence=\(last.sequence)&run_id=\(last.runID)" }
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
                guard response.status == .ok else {
                    throw E2EError("follow answered \(response.status.code)")
                }
                streams.noteAnswered()
                var pending = Data()
                for try await chunk in response.body {
                    pending.append(contentsOf: chunk.readableBytesView)
                    while let newline = pending.firstIndex(of: 10) {
                        let line = pending[pending.startIndex..<newline]
                        pending = Data(pending[(newline + 1)...])
                        guard let object = try JSONSerialization.jsonObject(with: line) as? [String: Any] else { continue }
                        switch object["type"] as? String {
                        case "log":
                            result.lines.append(
                                Line(
                                    runID: object["run_id"] as? String ?? "", sequence: (object["sequence"] as? NSNumber)?.int64Value ?? -1,
                                    content: object["content"] as? String ?? "", stream: object["stream"] as? String ?? "",
                                    level: object["level"] as? String ?? "",
                                    metadata: object["metadata"] as? [String: String] ?? [:]))
                        case "end":
                            result.endStatus = object["status"] as? String
                            return result
                        default:
                            break
                        }
                    }
                }
            } catch let error as E2EError {
                throw error
            } catch {
                // The server went away mid-stream: resume like mctl does.
            }
            result.reconnects += 1
            try await Task.sleep(for: .milliseconds(300))
        }
        throw E2EError("follow did not reach the end record in time; got \(result.lines.count) lines")
    }
}
