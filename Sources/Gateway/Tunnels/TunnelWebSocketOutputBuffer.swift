import Fabric
import NIOCore

/// What waits to be written to a `/connect` WebSocket, with no I/O: the runner side's bytes and
/// then the close frame. Bounded by bytes: above ``highMark`` the runner side is paused (its reads
/// stop, so HTTP/2 flow control pushes back to the runner), below ``lowMark`` it resumes.
struct TunnelWebSocketOutputBuffer {
    enum Item: Sendable, Equatable {
        case bytes(ByteBuffer)
        /// Last item: send this close frame (nil: the client is gone, just stop).
        case close(TunnelWebSocketCloseState.CloseFrame?)
    }

    /// What the runner side must be told after an append or a pop.
    enum Signal: Sendable, Equatable {
        case none
        case pause
        case resume
    }

    let highMark: Int
    let lowMark: Int
    private var items = CircularBuffer<Item>()
    private(set) var queuedBytes = 0
    private(set) var paused = false
    /// A close was queued: nothing more is taken.
    private(set) var closed = false

    init(highMark: Int = TunnelSplicePeer.highMark, lowMark: Int = TunnelSplicePeer.lowMark) {
        self.highMark = highMark
        self.lowMark = lowMark
    }

    var isEmpty: Bool { items.isEmpty }

    mutating func append(_ item: Item) -> Signal {
        guard !closed else { return .none }
        switch item {
        case .bytes(let bytes):
            queuedBytes += bytes.readableBytes
        case .close:
            closed = true
        }
        items.append(item)
        guard !paused, queuedBytes > highMark else { return .none }
        paused = true
        return .pause
    }

    mutating func pop() -> (Item, Signal)? {
        guard let item = items.popFirst() else { return nil }
        if case .bytes(let bytes) = item { queuedBytes -= bytes.readableBytes }
        guard paused, queuedBytes < lowMark else { return (item, .none) }
        paused = false
        return (item, .resume)
    }
}
