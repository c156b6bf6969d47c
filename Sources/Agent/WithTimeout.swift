public struct OperationTimedOut: Error, CustomStringConvertible {
    public var description: String
}

/// Runs `operation`, throwing `OperationTimedOut` when it takes longer than `timeout` (the
/// operation is cancelled).
public func withTimeout<T: Sendable>(
    _ timeout: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw OperationTimedOut(description: "\(what) timed out after \(timeout)")
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}
