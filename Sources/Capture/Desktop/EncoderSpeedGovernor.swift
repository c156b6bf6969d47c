/// Keeps the desktop's VP8 encode within its CPU budget (streaming.md §5.2: 1080p30 on at most 0.6
/// of a core) by moving libvpx's fixed speed, as WebRTC's CPU-overuse adaptation does with
/// resolution. The encoder starts at `cpu-used −6`, the spec's setting. Over each one-second window
/// the governor takes the capture thread's CPU time (grab, convert, encode): above `busyShare` of
/// the window (the screen changes every pixel of every frame: full-screen video, grain) it steps
/// one speed faster, up to `fastestSpeed`
/// (never −12/−16, whose rate control collapses on scrolling text); below `idleShare` for
/// `calmWindows` windows in a row it steps back towards −6. Scrolling text at 1080p30 encodes in
/// ~40 % of a core and stays at −6.
///
/// Pure state machine: the capture thread feeds it encode times and applies what it returns.
public struct EncoderSpeedGovernor: Sendable {
    public static let baseSpeed = 6
    public static let fastestSpeed = 9
    /// Share of wall time spent encoding above which the next window runs one speed faster.
    public static let busyShare = 0.5
    /// Share below which a window counts as calm.
    public static let idleShare = 0.3
    public static let calmWindows = 3
    static let windowMicroseconds: Int64 = 1_000_000

    public private(set) var speed = EncoderSpeedGovernor.baseSpeed
    /// Wall time and thread CPU time at the start of the window, µs.
    private var windowStart: (wall: Int64, cpu: Int64)?
    private var calm = 0

    public init() {}

    /// One tick, after its work: `threadCPUMicroseconds` is the capture thread's CPU time so far,
    /// `now` the capture clock, both in µs. Returns the new speed when it changes.
    public mutating func observe(threadCPUMicroseconds cpu: Int64, now: Int64) -> Int? {
        guard let start = windowStart else {
            windowStart = (now, cpu)
            return nil
        }
        let elapsed = now - start.wall
        guard elapsed >= Self.windowMicroseconds else { return nil }
        let share = Double(cpu - start.cpu) / Double(elapsed)
        windowStart = (now, cpu)
        if share > Self.busyShare {
            calm = 0
            guard speed < Self.fastestSpeed else { return nil }
            speed += 1
            return speed
        }
        guard share < Self.idleShare else {
            calm = 0
            return nil
        }
        calm += 1
        guard calm >= Self.calmWindows, speed > Self.baseSpeed else { return nil }
        calm = 0
        speed -= 1
        return speed
    }
}
