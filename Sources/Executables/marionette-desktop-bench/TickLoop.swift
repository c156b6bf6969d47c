/// Runs `body` at absolute deadlines `start + n / rate` on the monotonic clock: a slow tick does not
/// push the later ones back, and ticks missed meanwhile are skipped, not caught up in a burst.
/// `body` gets the tick number (which the scenes turn into positions, so skipped ticks still move
/// the picture at the nominal speed) and returns false to stop. Every 10 s `report` gets the ticks
/// run and skipped in that period.
enum TickLoop {
    static func run(
        rate: Int, report: (_ ran: Int, _ skipped: Int, _ seconds: Double) -> Void = { _, _, _ in },
        _ body: (Int64) throws -> Bool
    ) rethrows {
        let rate = Int64(rate)
        let start = MonotonicClock.nanoseconds()
        var tick: Int64 = 0
        var ran = 0, skipped = 0
        var periodStart = start
        while true {
            MonotonicClock.sleep(until: start + tick * 1_000_000_000 / rate)
            guard try body(tick) else { return }
            ran += 1
            let now = MonotonicClock.nanoseconds()
            let next = max(tick + 1, (now - start) * rate / 1_000_000_000 + 1)
            skipped += Int(next - tick - 1)
            tick = next
            if now - periodStart >= 10_000_000_000 {
                report(ran, skipped, Double(now - periodStart) / 1e9)
                ran = 0
                skipped = 0
                periodStart = now
            }
        }
    }
}
