import Foundation

/// Hands a value that is not Sendable to the one thread that uses it while its owner waits
/// (`offPool`): `@unchecked` because the two never touch it at the same time.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// Runs a blocking call (a child process to its end, a socket read, a sleep loop) on a new thread
/// and resumes with its result. Tests run in parallel on a cooperative pool with one thread per
/// core; a test that blocks one of them stalls every other test's timers and reads.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
