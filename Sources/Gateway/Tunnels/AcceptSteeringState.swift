import NIOCore

/// Which listener of the public port's group (one per event loop, ``TunnelAcceptSteering``) takes
/// the next connections: the one on the event loop of the runner data connection tunnel connections
/// use, while they keep coming (``window``) and all of them use that one loop; otherwise none, and
/// the kernel spreads connections over all listeners.
///
/// The window is a minute: a person clicking through an app opens a connection every few seconds
/// or less often, and each that came after a shorter window had a loop picked by hash. API
/// connections pinned meanwhile lose little: their handlers run on Swift's concurrent pool, not on
/// the event loop. Tunnel connections to runners whose data connections are on different loops
/// spread at once, and stay spread until a whole window passed with one loop only: no listener can
/// take them all, and pinning to one of them in turn would put every new connection of a busy
/// server on one core.
struct AcceptSteeringState {
    enum Change: Equatable {
        /// New connections go to the listener at this index.
        case pin(Int)
        /// New connections are spread by the kernel.
        case spread
    }

    let window: TimeAmount
    /// The listeners' event loops, by listener index.
    private(set) var loops: [ObjectIdentifier] = []
    private(set) var pinned: Int?
    /// The listener of the last tunnel connection's loop, and when it came.
    private var lastLoop: Int?
    private var lastUse = NIODeadline.distantPast
    /// When two tunnel connections within a window last used different loops.
    private var lastMixed: NIODeadline?

    init(window: TimeAmount = .seconds(60)) {
        self.window = window
    }

    /// A new group of listeners (nothing pinned).
    mutating func install(loops: [ObjectIdentifier]) {
        self.loops = loops
        pinned = nil
        lastLoop = nil
    }

    /// A tunnel connection went to a runner whose data connection is on `loop`.
    mutating func used(_ loop: ObjectIdentifier, now: NIODeadline) -> Change? {
        guard loops.count > 1, let index = loops.firstIndex(of: loop) else { return nil }
        if let lastLoop, lastLoop != index, now - lastUse < window { lastMixed = now }
        lastLoop = index
        lastUse = now
        let wanted = lastMixed.map { now - $0 < window } == true ? nil : index
        guard wanted != pinned else { return nil }
        pinned = wanted
        return wanted.map(Change.pin) ?? .spread
    }

    /// No tunnel connection for ``window``: back to the kernel's spread.
    mutating func expire(now: NIODeadline) -> Change? {
        guard pinned != nil, now - lastUse >= window else { return nil }
        pinned = nil
        return .spread
    }
}
