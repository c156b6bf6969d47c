import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension ICEAddress {
    /// The STUN view of a socket address (for XOR-MAPPED-ADDRESS); nil for unix sockets.
    init?(_ address: SocketAddress) {
        guard let port = address.port else { return nil }
        switch address {
        case .v4(let v4):
            self.init(ip: .v4(UInt32(bigEndian: v4.address.sin_addr.s_addr)), port: UInt16(port))
        case .v6(let v6):
            var storage = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &storage) { Array($0) }
            self.init(addressBytes: bytes, port: UInt16(port))
        case .unixDomainSocket:
            return nil
        }
    }
}
