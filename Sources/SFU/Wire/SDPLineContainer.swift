/// A section of an SDP document (the session part or one media section) that keeps its
/// lines in order. The typed accessors read those lines; they skip values that do not parse,
/// which can only happen for lines added after parsing since the parser validates them.
public protocol SDPLineContainer {
    var lines: [SDPLine] { get set }
}

extension SDPLineContainer {
    /// All `a=` attributes in order.
    public var attributes: [SDPAttribute] {
        lines.compactMap(\.attribute)
    }

    /// Every attribute with this exact name, in order.
    public func attributes(named name: String) -> [SDPAttribute] {
        let nameBytes = Array(name.utf8)
        var result: [SDPAttribute] = []
        for line in lines where line.type == "a" && SDPText.value(line.value, namesAttribute: nameBytes) {
            result.append(SDPAttribute(lineValue: line.value))
        }
        return result
    }

    /// The first attribute with this exact name.
    public func attribute(named name: String) -> SDPAttribute? {
        let nameBytes = Array(name.utf8)
        for line in lines where line.type == "a" && SDPText.value(line.value, namesAttribute: nameBytes) {
            return SDPAttribute(lineValue: line.value)
        }
        return nil
    }

    /// Whether an attribute with this exact name is present (property or value attribute).
    public func hasAttribute(_ name: String) -> Bool {
        attribute(named: name) != nil
    }

    /// Appends a line at the end of the section (order is kept on serialization).
    public mutating func append(_ line: SDPLine) {
        lines.append(line)
    }

    /// Appends `a=<name>` or `a=<name>:<value>`.
    public mutating func appendAttribute(_ name: String, _ value: String? = nil) {
        lines.append(.attribute(name, value))
    }

    /// Removes every attribute with this exact name.
    public mutating func removeAttributes(named name: String) {
        lines.removeAll { $0.attribute?.name == name }
    }

    func trimmedValue(of name: String) -> String? {
        attribute(named: name).map { String($0.trimmedValue) }
    }

    /// Parsed values of every attribute named `name`, skipping ones that fail to parse.
    func parsed<T>(_ name: String, _ parse: (String) throws(SDPParseError) -> T) -> [T] {
        attributes(named: name).compactMap { attribute in
            do { return try parse(attribute.value ?? "") } catch { return nil }
        }
    }

    // MARK: ICE and DTLS (valid at session or media level)

    /// `a=ice-ufrag` (RFC 8839), trimmed.
    public var iceUfrag: String? { trimmedValue(of: "ice-ufrag") }
    /// `a=ice-pwd` (RFC 8839), trimmed.
    public var icePwd: String? { trimmedValue(of: "ice-pwd") }

    /// Tokens of every `a=ice-options` line (`trickle`, `ice2`, `renomination`, ...).
    public var iceOptions: [String] {
        attributes(named: "ice-options").flatMap { SDPText.fields($0.value ?? "") }
    }

    /// Every `a=fingerprint` (a client may offer several hash functions).
    public var fingerprints: [SDPFingerprint] {
        parsed("fingerprint") { v throws(SDPParseError) in try SDPFingerprint(parsing: v) }
    }

    /// The first `a=setup`.
    public var setup: SDPSetupRole? {
        parsed("setup") { v throws(SDPParseError) in try SDPSetupRole(parsing: v) }.first
    }

    /// `a=candidate` lines in order.
    public var candidates: [SDPCandidate] {
        parsed("candidate") { v throws(SDPParseError) in try SDPCandidate(parsing: v) }
    }

    /// `a=end-of-candidates`: the writer will not trickle more candidates.
    public var endOfCandidates: Bool { hasAttribute("end-of-candidates") }

    // MARK: RTP

    /// `a=extmap` lines in order.
    public var extmaps: [SDPExtmap] {
        parsed("extmap") { v throws(SDPParseError) in try SDPExtmap(parsing: v) }
    }

    /// RFC 8285 §6: one- and two-byte header extensions may be mixed in one packet.
    public var extmapAllowMixed: Bool { hasAttribute("extmap-allow-mixed") }

    /// The last direction attribute, if any (RFC 8866 §6.7 defaults to `sendrecv` when absent).
    public var direction: SDPDirection? {
        var result: SDPDirection?
        for line in lines where line.type == "a" {
            if let direction = SDPDirection(rawValue: line.value) { result = direction }
        }
        return result
    }

    // MARK: Other line types

    /// The first valid `c=` line.
    public var connection: SDPConnection? {
        for line in lines where line.type == "c" {
            if let connection = try? SDPConnection(parsing: line.value) { return connection }
        }
        return nil
    }

    /// `b=` lines in order.
    public var bandwidths: [SDPBandwidth] {
        lines.filter { $0.type == "b" }.compactMap { try? SDPBandwidth(parsing: $0.value) }
    }
}
