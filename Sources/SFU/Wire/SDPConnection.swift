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

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count == 3 else { throw SDPParseError(reason: "connection needs \"<nettype> <addrtype> <address>\"") }
        self.init(networkType: fields[0], addressType: fields[1], address: fields[2])
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String { "\(networkType) \(addressType) \(address)" }

    /// This value as an SDP line, ready to append to a section.
    public var line: SDPLine { SDPLine(type: "c", value: value) }
}
