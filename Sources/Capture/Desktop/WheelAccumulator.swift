/// Turns DOM wheel deltas into X wheel clicks (capture.md §2.2): one notch per 100 px (deltaMode 0),
/// 3 lines (1) or 1 page (2) by default. Fractions carry over to the next event so that trackpads'
/// small deltas still scroll; a change of direction drops the carried fraction. Pure.
struct WheelAccumulator: Equatable {
    var pixelsPerNotch = 100.0
    var linesPerNotch = 3.0
    var pagesPerNotch = 1.0
    /// Cap per event and axis, so that one absurd delta cannot queue thousands of clicks.
    var maxNotchesPerEvent = 20
    private var x = 0.0
    private var y = 0.0

    /// Adds one event's deltas; returns whole notches per axis (positive = right / down).
    mutating func add(dx: Double, dy: Double, mode: Int) -> (x: Int, y: Int) {
        let perNotch = mode == 1 ? linesPerNotch : mode == 2 ? pagesPerNotch : pixelsPerNotch
        return (take(&x, dx / perNotch), take(&y, dy / perNotch))
    }

    mutating func reset() {
        x = 0
        y = 0
    }

    private func take(_ carried: inout Double, _ notches: Double) -> Int {
        guard notches.isFinite, notches != 0 else { return 0 }
        if carried != 0 && (carried < 0) != (notches < 0) { carried = 0 }
        carried += notches
        let whole = carried.rounded(.towardZero)
        carried -= whole
        return Int(max(-Double(maxNotchesPerEvent), min(Double(maxNotchesPerEvent), whole)))
    }
}
