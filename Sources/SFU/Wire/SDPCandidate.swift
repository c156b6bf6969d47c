/// `a=candidate:` (RFC 8839 §5.1):
/// `<foundation> <component> <transport> <priority> <address> <port> typ <type>
/// [raddr <addr>] [rport <port>] *(<extension name> <extension value>)`.
public struct SDPCandidate: Sendable, Hashable {
    public var foundation: String
    public var component: Int
    /// `udp` / `tcp` as written (Firefox uses upper case).
    public var transport: String
    public var priority: UInt32
    /// IPv4, IPv6 or an mDNS `.local` name.
    public var address: String
    public var port: UInt16
    /// `host`, `srflx`, `prflx`, `relay`.
    public var type: String
    public var relatedAddress: String?
    public var relatedPort: UInt16?
    /// Remaining name/value pairs in order (`tcptype active`, `generation 0`, ...).
    public var extensions: [Extension]

    public struct Extension: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        foundation: String, component: Int, transport: String, priority: UInt32, address: String,
        port: UInt16, type: String, relatedAddress: String? = nil, relatedPort: UInt16? = nil,
        extensions: [Extension] = []
    ) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.extensions = extensions
    }

    public init(parsing value: String) throws(SDPParseError) {
        var text = SDPText.trimmed(value)
        // Trickle fragments sometimes carry the attribute name twice ("candidate:candidate:...").
        if text.utf8.starts(with: "candidate:".utf8) { text = String(text.dropFirst(10)) }
        let fields = SDPText.fields(text)
        guard fields.count >= 8 else { throw SDPParseError(reason: "candidate has fewer than 8 fields") }
        guard !fields[0].isEmpty, fields[0].utf8.count <= 32 else {
            throw SDPParseError(reason: "candidate foundation must be 1-32 characters")
        }
        guard let component = SDPText.int(fields[1], max: 256), component >= 1 else {
            throw SDPParseError(reason: "candidate component must be 1-256")
        }
        guard let priority = SDPText.decimal(fields[3], max: UInt64(UInt32.max)) else {
            throw SDPParseError(reason: "candidate priority is not a 32-bit unsigned integer")
        }
        guard let port = SDPText.int(fields[5], max: 65535) else {
            throw SDPParseError(reason: "candidate port must be 0-65535")
        }
        guard fields[6] == "typ" else { throw SDPParseError(reason: "candidate is missing \"typ\"") }
        var relatedAddress: String?
        var relatedPort: UInt16?
        var extensions: [Extension] = []
        var index = 8
        while index < fields.count {
            guard index + 1 < fields.count else {
                throw SDPParseError(reason: "candidate extension \"\(fields[index])\" has no value")
            }
            let name = fields[index]
            let value = fields[index + 1]
            if name == "raddr", relatedAddress == nil {
                relatedAddress = value
            } else if name == "rport", relatedPort == nil {
                guard let parsed = SDPText.int(value, max: 65535) else {
                    throw SDPParseError(reason: "candidate rport must be 0-65535")
                }
                relatedPort = UInt16(parsed)
            } else {
                extensions.append(Extension(name: name, value: value))
            }
            index += 2
        }
        self.init(
            foundation: fields[0], component: component, transport: fields[2],
            priority: UInt32(priority), address: fields[4], port: UInt16(port), type: fields[7],
            relatedAddress: relatedAddress, relatedPort: relatedPort, extensions: extensions)
    }

    /// `tcptype` extension value for ICE-TCP candidates.
    public var tcpType: String? {
        extensions.first(where: { $0.name == "tcptype" })?.value
    }

    /// The value as written after the line type or attribute name (canonical spacing).
    public var value: String {
        var text = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type)"
        if let relatedAddress { text += " raddr \(relatedAddress)" }
        if let relatedPort { text += " rport \(relatedPort)" }
        for ext in extensions { text += " \(ext.name) \(ext.value)" }
        return text
    }

    /// This value as an `a=` line, ready to append to a section.
    public var line: SDPLine { .attribute("candidate", value) }
}
