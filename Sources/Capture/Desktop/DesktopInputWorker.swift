import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The input side of a desktop stream: a bounded queue of `DesktopInput` drained by one dedicated
/// thread that owns an `XTestInjector` (and so its own X connection). `submit` never blocks on X:
/// it appends under a lock and wakes the thread through a pipe. The thread sleeps in `poll` on that
/// pipe and on the X connection's socket, so it also answers clipboard requests and follows keyboard
/// map changes while no input arrives, at no cost when idle.
///
/// The X connection is opened on the first input (the display may only come up after the capture
/// thread started Xvfb), or on `connect()`, and reopened after it broke; inputs that arrive while
/// the display cannot be opened are dropped and counted. `stop()` releases every pressed key and
/// button, then joins.
///
/// With `onClipboard`, the connection also carries an `X11ClipboardWatcher`: CLIPBOARD changes by
/// other clients are read asynchronously (the thread's `poll` wakes for the watcher's timeout only
/// while a transfer is pending) and handed to `onClipboard` on this thread, which must not block.
final class DesktopInputWorker: Sendable {
    struct Statistics: Sendable, Equatable {
        var injected = 0
        var dropped = 0
        var lastError: DesktopCaptureError?
    }

    /// Queue bound: enough for bursts of typing; pointer moves coalesce, releases always fit.
    static let capacity = 1024

    private struct State {
        var queue: [DesktopInput] = []
        var stopping = false
        var connectRequested = false
        var statistics = Statistics()
    }

    /// Shared by the worker and its thread; closes the wake pipe when both are done with it.
    private final class Shared: Sendable {
        let state = Mutex(State())
        let wakeRead: Int32
        let wakeWrite: Int32

        init() throws(DesktopCaptureError) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                throw .invalidConfiguration(
                    "cannot create the input thread's wake pipe: \(String(cString: strerror(errno)))")
            }
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wakeRead = fds[0]
            wakeWrite = fds[1]
        }

        deinit {
            close(wakeRead)
            close(wakeWrite)
        }

        /// A full pipe already means "wake up": the write may fail with EAGAIN.
        func wake() {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    let display: String
    private let shared: Shared
    private let finished = DispatchGroup()

    init(display: String, onClipboard: (@Sendable (String) -> Void)? = nil) throws(DesktopCaptureError) {
        self.display = display
        let shared = try Shared()
        self.shared = shared
        finished.enter()
        let finished = finished
        let thread = Thread {
            defer { finished.leave() }
            Self.run(display: display, shared: shared, onClipboard: onClipboard)
        }
        thread.name = "marionette-desktop-input"
        thread.start()
    }

    deinit {
        // Released without stop(): let the thread release what it holds and end on its own.
        shared.state.withLock { $0.stopping = true }
        shared.wake()
    }

    func submit(_ input: DesktopInput) {
        let accepted = shared.state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            if case .pointerMove = input, case .pointerMove = state.queue.last {
                state.queue[state.queue.count - 1] = input  // only the latest position matters
                return true
            }
            guard state.queue.count < Self.capacity || Self.isRelease(input) else {
                state.statistics.dropped += 1
                return false
            }
            state.queue.append(input)
            return true
        }
        if accepted { shared.wake() }
    }

    var statistics: Statistics { shared.state.withLock { $0.statistics } }

    /// Opens the X connection now rather than on the first input (the display is known to be up),
    /// so that clipboard changes are watched from the start. A failure is recorded in `lastError`.
    func connect() {
        shared.state.withLock { $0.connectRequested = true }
        shared.wake()
    }

    /// Releases everything pressed, closes the connection and joins the thread. Idempotent.
    func stop() {
        shared.state.withLock { $0.stopping = true }
        shared.wake()
        finished.wait()
    }

    /// Releases are never dropped: a lost key-up leaves a key stuck on the remote desktop.
    private static func isRelease(_ input: DesktopInput) -> Bool {
        switch input {
        case .releaseAll: true
        case .key(_, _, _, let down), .pointerButton(_, let down, _, _): !down
        default: false
        }
    }

    // MARK: - Input thread

    private static func run(display: String, shared: Shared, onClipboard: (@Sendable (String) -> Void)?) {
        var injector: XTestInjector?
        var watcher: X11ClipboardWatcher?
        var watcherTried = false  // once per connection: nil means the server lacks XFixes
        var buffer = [UInt8](repeating: 0, count: 64)
        var batch: [DesktopInput] = []
        while true {
            var fds = [
                pollfd(fd: shared.wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: injector?.connection.fileDescriptor ?? -1, events: Int16(POLLIN), revents: 0),
            ]
            // Forever, unless a clipboard transfer may time out.
            let timeout = watcher?.deadline.map {
                Int32(clamping: max(0, ($0 - CaptureClock.monotonicNanoseconds()) / 1_000_000 + 1))
            }
            _ = poll(&fds, 2, timeout ?? -1)
            while read(shared.wakeRead, &buffer, buffer.count) > 0 {}
            let (stopping, connect) = shared.state.withLock { state -> (Bool, Bool) in
                swap(&batch, &state.queue)  // the queue keeps the batch's old storage: no allocation per wake-up
                defer { state.connectRequested = false }
                return (state.stopping, state.connectRequested)
            }
            var injected = 0, dropped = 0
            var failure: DesktopCaptureError?
            if connect && injector == nil && !stopping {
                do throws(DesktopCaptureError) {
                    injector = try XTestInjector(display: display)
                } catch {
                    failure = error
                }
            }
            for input in batch {
                if injector == nil {
                    if input == .releaseAll { continue }  // nothing can be held on a fresh connection
                    do throws(DesktopCaptureError) {
                        injector = try XTestInjector(display: display)
                    } catch {
                        failure = error
                        dropped += 1
                        continue
                    }
                }
                injector?.inject(input)
                injected += 1
            }
            batch.removeAll(keepingCapacity: true)
            if let current = injector {
                if onClipboard != nil, !watcherTried, !stopping {
                    watcherTried = true
                    watcher = X11ClipboardWatcher(connection: current.connection, ownWindow: current.clipboardWindow)
                }
                // Replies read during injection may have queued events: handle them before polling.
                current.connection.drainEvents { event in
                    current.handle(event)
                    if let text = watcher?.handle(event, ownWindow: current.clipboardWindow) { onClipboard?(text) }
                }
                watcher?.expire(now: CaptureClock.monotonicNanoseconds())
                if current.connection.hasError {
                    failure = current.connection.lostError
                    watcher = nil
                    watcherTried = false
                    injector = nil  // reconnect on the next input
                }
            }
            if injected > 0 || dropped > 0 || failure != nil {
                shared.state.withLock {
                    $0.statistics.injected += injected
                    $0.statistics.dropped += dropped
                    if let failure { $0.statistics.lastError = failure }
                }
            }
            if stopping {
                watcher = nil
                injector?.releaseAll()
                return
            }
        }
    }

}
