import Core
import Crypto
import Foundation

/// Data encryption keys (auth-security.md §6.1): one random 32-byte DEK per tenant
/// (`tenant/<id or _>`) and per resource holding a long-lived secret (`agent_config/<id>`), kept in
/// `data_keys` sealed by the KEK. Creation is single-flight per resource; a process that loses the
/// insert race adopts the winner's key. Opened DEKs are cached (at most 1,024) until invalidated.
public actor DataKeys {
    public nonisolated let kekID: String
    private let kek: KeyEncryptionKey
    /// During a KEK rotation: the key being retired, tried when the current one does not open a row.
    private let previous: KeyEncryptionKey?
    private let store: Store
    private var cache: [String: KeyMaterial] = [:]
    /// Insertion order of `cache`, for evicting the oldest entry at the limit.
    private var order: [String] = []
    private var inFlight: [String: Task<KeyMaterial, any Error>] = [:]
    public static let cacheLimit = 1024

    public init(kek: KeyEncryptionKey, previous: KeyEncryptionKey? = nil, store: Store) {
        self.kek = kek
        self.previous = previous
        self.kekID = kek.id
        self.store = store
    }

    /// The keyring of a configured server: nil without `MARIONETTE_ENCRYPTION_KEY`; an invalid
    /// key is an error (the server refuses to start rather than run without encryption).
    public static func configured(_ config: ServerConfig, store: Store) throws(EncryptionError) -> DataKeys? {
        guard let hex = config.encryptionKey else { return nil }
        var previous: KeyEncryptionKey?
        if let old = config.encryptionKeyPrevious {
            do { previous = try KeyEncryptionKey(hex: old) } catch {
                throw .invalidKey("(MARIONETTE_ENCRYPTION_KEY_PREVIOUS) \(error.reason)")
            }
        }
        return DataKeys(kek: try KeyEncryptionKey(hex: hex, id: config.encryptionKeyID), previous: previous, store: store)
    }

    /// What a re-wrap pass did.
    public struct RewrapReport: Sendable, Equatable {
        /// Sealed again under the current KEK (they were under the previous one).
        public var rewrapped = 0
        /// Opened with neither key: left as they are (their data stays unreadable until the right key is given).
        public var unreadable = 0
    }

    /// KEK rotation (auth-security.md §6.1): every data key sealed by the previous KEK is sealed
    /// again by the current one and gets its `kek_id`; the data they protect is not touched.
    /// Without a previous key there is nothing to do.
    public func rewrapAll() async throws -> RewrapReport {
        var report = RewrapReport()
        guard let previous else { return report }
        for row in try await store.allDataKeys() {
            let slot = Self.slot(row.resourceType, row.resourceID)
            guard let data = Data(base64Encoded: row.sealed) else {
                report.unreadable += 1
                continue
            }
            if (try? SealedEnvelope.open(data, key: kek.key, slot: slot)) != nil { continue }
            guard let dek = try? SealedEnvelope.open(data, key: previous.key, slot: slot) else {
                report.unreadable += 1
                continue
            }
            let sealed = Data(try SealedEnvelope.seal(dek, key: kek.key, slot: slot)).base64EncodedString()
            if try await store.rewrapDataKey(row, sealed: sealed, kekID: kek.id) { report.rewrapped += 1 }
        }
        return report
    }

    /// The DEK of a resource, created on first use.
    public func dataKey(resourceType: String, resourceID: String, tenantID: String?) async throws -> KeyMaterial {
        let slot = Self.slot(resourceType, resourceID)
        if let key = cache[slot] { return key }
        if let running = inFlight[slot] { return try await running.value }
        let task = Task { [kek, previous, store] in
            try await Self.loadOrCreate(
                resourceType: resourceType, resourceID: resourceID, tenantID: tenantID, kek: kek, previous: previous, store: store)
        }
        inFlight[slot] = task
        defer { inFlight[slot] = nil }
        let key = try await task.value
        remember(slot, key)
        return key
    }

    /// A purpose sub-key of the tenant's DEK (`_` in single-tenant mode).
    public func tenantKey(_ tenantID: String?, purpose: KeyPurpose) async throws -> KeyMaterial {
        let dek = try await dataKey(resourceType: "tenant", resourceID: tenantID ?? "_", tenantID: tenantID)
        return KeyMaterial(purpose.derive(from: dek.key))
    }

    public func invalidate(resourceType: String, resourceID: String) {
        let slot = Self.slot(resourceType, resourceID)
        cache[slot] = nil
        order.removeAll { $0 == slot }
    }

    /// Drops a resource's DEK (its data becomes unreadable): for deleted resources.
    public func destroy(resourceType: String, resourceID: String) async throws {
        invalidate(resourceType: resourceType, resourceID: resourceID)
        try await store.deleteDataKey(resourceType: resourceType, resourceID: resourceID)
    }

    /// How many opened DEKs are cached (tests).
    public var cachedCount: Int { cache.count }

    private func remember(_ slot: String, _ key: KeyMaterial) {
        if cache[slot] == nil {
            if cache.count >= Self.cacheLimit, !order.isEmpty { cache[order.removeFirst()] = nil }
            order.append(slot)
        }
        cache[slot] = key
    }

    static func slot(_ type: String, _ id: String) -> String { type + ":" + id }

    private static func loadOrCreate(
        resourceType: String, resourceID: String, tenantID: String?, kek: KeyEncryptionKey, previous: KeyEncryptionKey?,
        store: Store
    ) async throws -> KeyMaterial {
        let slot = slot(resourceType, resourceID)
        if let row = try await store.dataKey(resourceType: resourceType, resourceID: resourceID) {
            return try open(row, kek: kek, previous: previous, slot: slot)
        }
        let dek = SymmetricKey(size: .bits256)
        let sealed = try dek.withUnsafeBytes { try SealedEnvelope.seal(Array($0), key: kek.key, slot: slot) }
        let row = try await store.insertDataKey(
            resourceType: resourceType, resourceID: resourceID, sealed: Data(sealed).base64EncodedString(), kekID: kek.id,
            tenantID: tenantID)
        return try open(row, kek: kek, previous: previous, slot: slot)
    }

    /// Opens a data key with the current KEK, else (during a rotation) the previous one.
    static func open(
        _ row: StoredDataKey, kek: KeyEncryptionKey, previous: KeyEncryptionKey? = nil, slot: String
    ) throws(EncryptionError) -> KeyMaterial {
        guard let data = Data(base64Encoded: row.sealed) else { throw .malformed(slot: "data key \(row.id)") }
        let opened: [UInt8]
        do {
            opened = try SealedEnvelope.open(data, key: kek.key, slot: slot)
        } catch .authenticationFailed {
            if let previous, let old = try? SealedEnvelope.open(data, key: previous.key, slot: slot) {
                opened = old
            } else if let stored = row.kekID, stored != kek.id {
                throw .kekMismatch(dataKeyID: row.id, storedKEK: stored, configuredKEK: kek.id)
            } else {
                throw .authenticationFailed(slot: "data key \(row.id)")
            }
        } catch {
            throw .malformed(slot: "data key \(row.id)")
        }
        return KeyMaterial(SymmetricKey(data: opened))
    }
}
