import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Steers the public port's new connections to the event loop their tunnel's bytes will cross.
///
/// The public listener is one listening socket per event loop in a `SO_REUSEPORT` group
/// (``PublicServer``), each accepting onto its own loop. Which tunnel a connection is for is known
/// only once its first request head is read, after the accept; a connection whose loop is not the
/// loop of its runner's data connection pays a thread wake-up for every exchange with the stream
/// (the assignment, each direction's bytes, the end: about five on a new connection, two per
/// keep-alive request). So while tunnel connections keep coming and all use one loop, a
/// one-instruction classic BPF program on the group (`SO_ATTACH_REUSEPORT_CBPF`) returns the index
/// of the listener on that loop; once they stop, or use runners on several loops, it returns an
/// index past the group, and the kernel spreads connections by their address hash again (API load,
/// and a busy server's many runners, keep every core). A browser opens its connections to one
/// tunnel in bursts, so the guess is right where it counts. The decisions are
/// ``AcceptSteeringState``'s; a kernel that refuses the program leaves connections spread.
final class TunnelAcceptSteering: Sendable {
    private struct Installed {
        var state = AcceptSteeringState()
        /// The socket the group's program is set on (any member sets it for the whole group).
        var anchor: (any Channel)?
        /// The kernel refused a program: steering is off.
        var refused = false
    }

    private let installed = Mutex(Installed())
    private let logger: Logger

    /// `SO_ATTACH_REUSEPORT_CBPF` (Linux ≥ 4.5), not in Glibc's module.
    private static let attachReuseportCBPF: Int32 = 51

    init(logger: Logger) {
        self.logger = logger
    }

    /// The listeners of a new group, in the order they started listening (the kernel's index).
    func install(listeners: [any Channel]) {
        installed.withLock { installed in
            installed.state.install(loops: listeners.map { ObjectIdentifier($0.eventLoop) })
            installed.anchor = listeners.first
        }
    }

    func uninstall() {
        installed.withLock { installed in
            installed.state.install(loops: [])
            installed.anchor = nil
        }
    }

    /// A tunnel connection went to a runner whose data connection is on `loop`. The returned future
    /// (tests) completes once the kernel has the new program.
    @discardableResult
    func used(_ loop: any EventLoop, now: NIODeadline = .now()) -> EventLoopFuture<Void>? {
        installed.withLock { installed in
            guard !installed.refused, let change = installed.state.used(ObjectIdentifier(loop), now: now) else { return nil }
            return apply(change, on: installed.anchor)
        }
    }

    /// Called every second: spreads connections again once tunnels went quiet.
    @discardableResult
    func expire(now: NIODeadline = .now()) -> EventLoopFuture<Void>? {
        installed.withLock { installed in
            guard !installed.refused, let change = installed.state.expire(now: now) else { return nil }
            return apply(change, on: installed.anchor)
        }
    }

    /// Called under the lock, so that programs reach the socket in the order they were decided on
    /// (setting one off the socket's loop only queues it there).
    private func apply(_ change: AcceptSteeringState.Change, on anchor: (any Channel)?) -> EventLoopFuture<Void>? {
        guard let anchor, let socket = anchor as? any SocketOptionProvider else { return nil }
        // A listener index, or one past any group: the kernel then picks by the address hash.
        let index: UInt32
        switch change {
        case .pin(let pinned): index = UInt32(pinned)
        case .spread: index = .max
        }
        #if _endian(little) && os(Linux)
        // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }: `ret #index` (BPF_RET | BPF_K).
        let filter = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        filter.initialize(to: 0x06 | UInt64(index) << 32)
        let address = UInt(bitPattern: filter)
        // struct sock_fprog { u16 len; struct sock_filter *filter; }: one instruction.
        let program: (UInt64, UInt64) = (1, UInt64(address))
        let done = socket.unsafeSetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: Self.attachReuseportCBPF),
            value: program)
        let loop = anchor.eventLoop
        done.whenComplete { [self] result in
            // The kernel copied the program during the call.
            UnsafeMutablePointer<UInt64>(bitPattern: address)?.deallocate()
            guard case .failure(let error) = result else { return }
            // Not now: this may run at once, under the lock.
            loop.execute { [self] in
                installed.withLock { $0.refused = true }
                logger.notice(
                    "the kernel refused the public listener's steering program; new connections stay spread over the event loops",
                    metadata: ["error": "\(error)"])
            }
        }
        return done
        #else
        return nil
        #endif
    }
}
