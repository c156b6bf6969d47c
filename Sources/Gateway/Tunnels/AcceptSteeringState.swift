import NIOCore

/// Which listener of the public port's group (one per event loop, ``TunnelAcceptSteering``) takes
/// the next connections: the one on the event loop of the runner data connection that tunnel
/// connections used last, for as long as they keep coming (``window``); otherwise none, and the
/// kernel spreads connections over all listeners.
///
/// The pinned listener changes at most once per ``minimumHold``: runners on different loops whose
/// tunnels are used at once would otherwise have it flip on every connection.
struct AcceptSteeringState {
    enum Change: Equatable {
        /// New connections go to the listener at this index.
        case pin(Int)
        /// New connections are spread by the kernel.
        case spread
    }

    let window: TimeAmount
    let minimumHold: TimeAmount
    /// The listeners' event loops, by listener index.
    private(set) var loops: [ObjectIdentifier] = []
    private(set) var pinned: Int?
    private var lastUse = NIODeadline.distantPast
    private var lastChange = NIODeadline.distantPast

    init(window: TimeAmount = .seconds(5), minimumHold: TimeAmount = .seconds(1)) {
        self.window = window
        self.minimumHold = minimumHold
    }

    /// A new group of listeners (nothing pinned).
    mutating func install(loops: [ObjectIdentifier]) {
        self.loops = loops
        pinned = nil
    }

    /// A tunnel connection went to a runner whose data connection is on `loop`.
    mutating func used(_ loop: ObjectIdentifier, now: NIODeadline) -> Change? {
        guard loops.count > 1, let index = loops.firstIndex(of: loop) else { return nil }
        lastUse = now
        guard pinned != index else { return nil }
        if pinned != nil, now - lastChange < minimumHold { return nil }
        pinned = index
        lastChange = now
        return .pin(index)
    }

    /// No tunnel connection for ``window``: back to the kernel's spread.
    mutating func expire(now: NIODeadline) -> Change? {
        guard pinned != nil, now - lastUse >= window else { return nil }
        pinned = nil
        lastChange = now
        return .spread
    }
}
