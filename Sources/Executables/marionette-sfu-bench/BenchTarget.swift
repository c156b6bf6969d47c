import ArgumentParser

/// The server under test.
enum BenchTarget: String, ExpressibleByArgument, Sendable {
    case marionette, janus
}
