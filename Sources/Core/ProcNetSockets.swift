#if canImport(Glibc)
import Glibc
#endif

/// Sockets as `/proc/net/tcp`, `tcp6`, `udp` and `udp6` list them, so a `SO_REUSEPORT` group can
/// count who shares its port. Members of a group take turns (TCP accepts) or split the peers
/// between them by a hash (UDP datagrams), and the kernel lets any other socket of the same user
/// join: a process that bound the same port in the same instant, or (UDP only) one that asked for
/// any free port with `SO_REUSEPORT` or `SO_REUSEADDR` set, because UDP's port-0 search treats a
/// port that such a socket could share as free. Counting the group's sockets catches both.
/// The parser is pure; ``members(_:ipAddress:port:)`` reads the file.
public enum ProcNetSockets {
    public enum Transport: Sendable {
        case tcp, udp
    }

    /// How many sockets of `transport` on `port` share traffic with `ipAddress`: bound to the same
    /// address, or either of the two to the wildcard. TCP counts listeners only. Nil when the
    /// address is not an IP literal or the table cannot be read (not Linux): the caller cannot tell.
    public static func members(_ transport: Transport, ipAddress: String, port: Int) -> Int? {
        memberInodes(transport, ipAddress: ipAddress, port: port)?.count
    }

    /// The inodes of the sockets ``members(_:ipAddress:port:)`` counts (`ls -l /proc/*/fd` names
    /// a socket's owner by it), in table order.
    public static func memberInodes(_ transport: Transport, ipAddress: String, port: Int) -> [Substring]? {
        guard let text = procText(ipAddress: ipAddress) else { return nil }
        let ipv6 = text.count == 32
        let file = "/proc/net/" + (transport == .tcp ? "tcp" : "udp") + (ipv6 ? "6" : "")
        guard let table = readFile(file) else { return nil }
        return sharingInodes(address: text, port: port, state: transport == .tcp ? "0A" : nil, in: table)
    }

    /// The members of a group of `expected` sockets on `port` when there are more of them, as
    /// their inodes, from a second read `confirmAfter` the first that found more as well. The
    /// kernel prints these tables a page per `read` and resumes each by position, so a table read
    /// while sockets come and go may list one twice (a server once counted three listeners on its
    /// port, two its own, with no other listener there); a socket another process holds is listed
    /// in both reads. Nil when the group is ours alone, or the table cannot tell.
    public static func strangers(
        _ transport: Transport, ipAddress: String, port: Int, expected: Int, confirmAfter: Duration = .milliseconds(50)
    ) async -> [Substring]? {
        guard let first = memberInodes(transport, ipAddress: ipAddress, port: port), first.count > expected else { return nil }
        try? await Task.sleep(for: confirmAfter)
        guard let second = memberInodes(transport, ipAddress: ipAddress, port: port), second.count > expected else { return nil }
        return second
    }

    /// The tables' text for an address: IPv4 as one host-order (little-endian) word, IPv6 as four.
    public static func procText(ipAddress: String) -> String? {
        func hex(_ bytes: UnsafeRawBufferPointer) -> String {
            // Each 32-bit word is printed as the host integer, so its bytes reverse.
            stride(from: 0, to: bytes.count, by: 4).map { start in
                bytes[start..<start + 4].reversed().map { byte in
                    let digits = String(byte, radix: 16, uppercase: true)
                    return digits.count == 1 ? "0" + digits : digits
                }.joined()
            }.joined()
        }
        if ipAddress.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, ipAddress, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { hex($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, ipAddress, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { hex($0) }
    }

    /// How many sockets are bound to `port` and to `address` (in ``procText(ipAddress:)`` form) or
    /// the wildcard (or any address, when `address` is the wildcard), in `state` when given (`0A`:
    /// TCP LISTEN).
    public static func sharing(address: String, port: Int, state: String?, in table: String) -> Int {
        sharingInodes(address: address, port: port, state: state, in: table).count
    }

    /// The inodes of the sockets ``sharing(address:port:state:in:)`` counts, in table order.
    public static func sharingInodes(address: String, port: Int, state: String?, in table: String) -> [Substring] {
        let portText = hex4(port)
        let wildcard = String(repeating: "0", count: address.count)
        var inodes: [Substring] = []
        for line in table.split(separator: "\n").dropFirst() {
            // sl, local, remote, state, queues, timer, retransmits, uid, timeout, inode, ...
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9 else { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, local[1] == portText else { continue }
            guard local[0] == address || local[0] == wildcard || address == wildcard else { continue }
            if let state, fields[3] != state { continue }
            inodes.append(fields[9])
        }
        return inodes
    }

    private static func hex4(_ port: Int) -> Substring {
        let digits = String(port, radix: 16, uppercase: true)
        return Substring(String(repeating: "0", count: max(0, 4 - digits.count)) + digits)
    }

    /// A `/proc` file's text (their size is not known before reading them to the end).
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return count == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}
