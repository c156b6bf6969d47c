import ArgumentParser

/// What `scene` draws.
enum SceneKind: String, ExpressibleByArgument, CaseIterable {
    /// An editor or terminal scrolling: lines of pseudo glyphs moving up a few pixels a tick.
    case text
    /// Full-screen motion: a panning gradient, moving shapes and fresh grain every tick.
    case video

    func makeScene(width: Int, height: Int, framesPerSecond: Int, scrollPixels: Int) -> any BusyScene {
        switch self {
        case .text: TextScene(width: width, height: height, scrollPixels: scrollPixels)
        case .video: VideoScene(width: width, height: height, framesPerSecond: framesPerSecond)
        }
    }
}
