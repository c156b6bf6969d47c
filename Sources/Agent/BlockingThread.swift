import Foundation

/// Runs blocking work (directory walks, `/proc` scans) on a dedicated thread instead of the
/// cooperative pool.
public enum BlockingThread {
    public static func run<T: Sendable>(name: String = "marionette-blocking", _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
