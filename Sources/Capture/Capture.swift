/// Capture pipelines of the runner (DESIGN.md, room Capture). So far the `testsrc` source
/// (streaming.md §5.1): `TestSourceRunner` = `TestPatternSource` + `VP8Encoder` on their own thread,
/// emitting `EncodedFrame`s. Desktop (X11) and Android (scrcpy) come with their issues.
public enum Capture {}
