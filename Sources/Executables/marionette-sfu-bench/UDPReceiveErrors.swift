import Foundation

/// The kernel's UDP receive-buffer drop counter (all sockets): non-zero growth during a window means
/// some packets were lost in a socket queue, the viewers' or the server's.
enum UDPReceiveErrors {
    static func read() -> UInt64 {
        guard let snmp = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return 0 }
        let lines = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return 0 }
        let names = lines[0].split(separator: " "), values = lines[1].split(separator: " ")
        guard let index = names.firstIndex(of: "RcvbufErrors"), index < values.count else { return 0 }
        return UInt64(values[index]) ?? 0
    }
}
