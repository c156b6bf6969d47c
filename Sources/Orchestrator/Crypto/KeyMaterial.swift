import Crypto

/// A key that can cross actors and tasks. `@unchecked Sendable` because swift-crypto 3.12 does not
/// declare `SymmetricKey` Sendable although it is an immutable value: its storage (`SecureBytes`,
/// copy-on-write) is never mutated after creation and is zeroed when freed.
public struct KeyMaterial: @unchecked Sendable {
    public let key: SymmetricKey

    public init(_ key: SymmetricKey) { self.key = key }
}
