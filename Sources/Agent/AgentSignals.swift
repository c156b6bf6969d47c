#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// SIGINT/SIGTERM handling: the first signal starts a graceful shutdown, a second one exits at
/// once. SIGPIPE is ignored (a closed pipe or socket is reported as an error instead). Task
/// processes get default dispositions back (`ProcessSpawner` resets them).
public final class AgentSignals {
    private var sources: [any DispatchSourceSignal] = []
    private let received = Count()

    public init() {}

    public func install(onFirstSignal: @escaping @Sendable (Int32) -> Void) {
        signal(SIGPIPE, SIG_IGN)
        let received = self.received
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if received.increment() == 1 {
                    onFirstSignal(number)
                } else {
                    _exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    private final class Count: Sendable {
        private let value = Mutex(0)

        func increment() -> Int {
            value.withLock {
                $0 += 1
                return $0
            }
        }
    }
}
