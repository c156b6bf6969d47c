import ArgumentParser

/// bench/desktop's tools. `scene` keeps an X display busy (scrolling text or full-screen motion),
/// `encode` measures Marionette's desktop pipeline (`DesktopSourceRunner`) on it, `clock` paints the
/// capture-time bar code for glass-to-glass measurements. Separate processes, so that what draws
/// the screen is never counted against what captures it.
@main
struct DesktopBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marionette-desktop-bench",
        abstract: "Busy-screen scenes, the desktop capture pipeline and a bar-code clock for bench/desktop.",
        subcommands: [SceneCommand.self, EncodeCommand.self, ClockCommand.self])
}
