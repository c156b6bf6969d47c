/// Capture pipelines of the runner (DESIGN.md, room Capture): the `testsrc` source (streaming.md
/// §5.1, `TestSourceRunner` = `TestPatternSource` + `VPXEncoder` on their own thread), the desktop
/// (`DesktopSourceRunner`: X11 grab, libyuv, `VPXEncoder`) and Android (scrcpy), each emitting
/// `EncodedFrame`s.
public enum Capture {}
