/// `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7).
public struct SDPConnection: Sendable, Hashable {
    public var networkType: String
    public var addressType: String
    /// Address, possibly with a multicast `/ttl[/count]` suffix, as written.
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String = "0.0.0.0") {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    public init(parsing value: some StringProtocol) throws(SDPParseError) {
        let fields = SDPText.fields(Substring(value))
        guard fields.count == 3 else { throw SDPParseError(reason: "connection needs \"<nettype> <addrtype> <address>\"") }
        self.init(networkType: String(fields[0]), addressType: String(fields[1]), address: String(fields[2]))
    }

    public var value: String { "\(networkType) \(addressType) \(address)" }

    public var line: SDPLine { SDPLine(type: "c", value: value) }
}
