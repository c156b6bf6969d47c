/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2).
public struct SDPOrigin: Sendable, Hashable {
    public var username: String
    /// Kept as text: browsers use up to 19-digit numbers and some stacks use non-numeric ids.
    public var sessionID: String
    public var sessionVersion: String
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(
        username: String = "-", sessionID: String, sessionVersion: String = "2",
        networkType: String = "IN", addressType: String = "IP4", address: String = "127.0.0.1"
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    public init(parsing value: String) throws(SDPParseError) {
        let fields = SDPText.fields(value)
        guard fields.count == 6 else { throw SDPParseError(reason: "origin needs 6 fields") }
        self.init(
            username: fields[0], sessionID: fields[1], sessionVersion: fields[2],
            networkType: fields[3], addressType: fields[4], address: fields[5])
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}
