/// The fixed-point encodings of touch pressure and scroll amounts (scrcpy.md §6.4), written as the
/// reference client does and read as the server does.
public enum ScrcpyFixedPoint {
    /// Pressure in [0, 1] → u16: trunc(p × 65536), 1.0 (and anything that would reach 0xFFFF)
    /// saturating to 0xFFFF. Out-of-range values are clamped; NaN counts as 0.
    public static func encodePressure(_ pressure: Float) -> UInt16 {
        guard !pressure.isNaN else { return 0 }
        let p = min(max(pressure, 0), 1)
        let u = UInt32(p * 65536)
        return u >= 0xFFFF ? 0xFFFF : UInt16(u)
    }

    /// The server's reading: 0xFFFF is 1.0, anything else u / 65536.
    public static func decodePressure(_ value: UInt16) -> Float {
        value == 0xFFFF ? 1 : Float(value) / 65536
    }

    /// Scroll in wheel notches, [-16, 16] → i16: f = clamp(v / 16, -1, 1), trunc(f × 32768) toward
    /// zero, saturating at 0x7FFF (so +16 → 7fff, -16 → 8000). NaN counts as 0.
    public static func encodeScroll(_ notches: Float) -> Int16 {
        guard !notches.isNaN else { return 0 }
        let f = min(max(notches / 16, -1), 1)
        let i = Int32(f * 32768)
        return i >= 0x7FFF ? 0x7FFF : Int16(i)
    }

    /// The server's reading in notches: 0x7FFF is 1.0, anything else i / 32768; times 16.
    public static func decodeScroll(_ value: Int16) -> Float {
        (value == 0x7FFF ? 1 : Float(value) / 32768) * 16
    }
}
