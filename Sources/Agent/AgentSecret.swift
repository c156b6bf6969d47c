import CShims
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An agent provider key as the runner keeps it (auth-security.md §9): its bytes in memory of their
/// own, locked against swap where the system allows it (`mlock`, best effort), zeroed by ``wipe()``
/// (on session detach, and when a run that brought its own key ends) and when the last reference goes.
///
/// ``string`` makes a transient copy for a child's environment; the log redactor reads the bytes in
/// place (``withBytes(_:)``), so the runner holds no lasting copy of its own besides this one.
public final class AgentSecret: Sendable {
    // Unchecked: the raw buffer is only read or written while `storage`'s mutex is held, and only
    // deinit frees it.
    private struct Storage: @unchecked Sendable {
        var bytes: UnsafeMutableRawBufferPointer
        var count: Int
        var locked: Bool
    }

    private let storage: Mutex<Storage>

    public init(_ value: String) {
        let utf8 = Array(value.utf8)
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(utf8.count, 1), alignment: 16)
        utf8.withUnsafeBytes { bytes.copyMemory(from: $0) }
        let locked = utf8.isEmpty ? false : mlock(bytes.baseAddress, utf8.count) == 0
        storage = Mutex(Storage(bytes: bytes, count: utf8.count, locked: locked))
    }

    deinit {
        storage.withLock { storage in
            Self.zero(&storage)
            storage.bytes.deallocate()
        }
    }

    /// Key length in bytes (0 once wiped).
    public var byteCount: Int { storage.withLock { $0.count } }

    /// Whether ``wipe()`` ran (or the key was empty).
    public var isWiped: Bool { byteCount == 0 }

    /// A copy as a String, for the agent process's environment; "" once wiped.
    public var string: String {
        storage.withLock { String(decoding: UnsafeRawBufferPointer(rebasing: $0.bytes[0..<$0.count]), as: UTF8.self) }
    }

    /// Calls `body` with the key's bytes (empty once wiped), under the lock: do not keep the pointer.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try storage.withLock { storage in
            try body(UnsafeRawBufferPointer(rebasing: storage.bytes[0..<storage.count]))
        }
    }

    /// Zeroes the key and unlocks its memory; it reads as empty from now on.
    public func wipe() {
        storage.withLock { Self.zero(&$0) }
    }

    private static func zero(_ storage: inout Storage) {
        guard storage.count > 0 else { return }
        mshim_secure_zero(storage.bytes.baseAddress, storage.count)
        if storage.locked { munlock(storage.bytes.baseAddress, storage.count) }
        storage.count = 0
        storage.locked = false
    }
}
