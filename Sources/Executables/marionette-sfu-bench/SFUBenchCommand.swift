import ArgumentParser

/// bench/sfu's load generator. `source` publishes a synthetic 4 Mbit/s VP8 stream (WHIP to Marionette,
/// plain RTP to a Janus Streaming mountpoint); `viewers` ramps up real WebRTC viewers and measures.
/// Separate processes, so neither's CPU is counted against the server under test. `peer-memory`
/// measures one peer's DTLS and SRTP state alone. `frames` (bench/android) counts the frames viewers of an
/// existing stream get.
@main
struct SFUBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marionette-sfu-bench",
        abstract: "Synthetic WebRTC source and viewers for bench/sfu.",
        subcommands: [SourceCommand.self, ViewersCommand.self, PeerMemoryCommand.self, FramesCommand.self])
}
