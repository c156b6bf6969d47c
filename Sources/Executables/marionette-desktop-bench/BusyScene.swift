/// A synthetic busy screen, drawn tick by tick into a width × height BGRX picture that keeps what
/// the previous tick left in it. The picture of a tick depends on the tick number only, so every
/// run (and both pipelines measured in one) sees the same screens.
protocol BusyScene {
    mutating func draw(tick: Int64, into pixels: UnsafeMutableBufferPointer<UInt32>)
}
