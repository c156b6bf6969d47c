/// Sorts datagrams arriving on the single WebRTC UDP port by their first byte (RFC 7983 §7,
/// with RTP/RTCP told apart by payload type as in RFC 5761 §4).
public enum PacketDemux {
    public enum Kind: Sendable, Hashable {
        case stun
        case dtls
        case rtp
        case rtcp
        /// ZRTP, TURN channel data, empty datagrams and anything else: drop.
        case unknown
    }

    /// - Parameters:
    ///   - firstByte: byte 0 of the datagram.
    ///   - secondByte: byte 1, nil when the datagram is only one byte long. It separates RTCP
    ///     (packet types 192–223, i.e. RTP payload types 64–95 with the marker bit) from RTP.
    public static func classify(firstByte: UInt8, secondByte: UInt8?) -> Kind {
        switch firstByte {
        case 0...3:
            return .stun
        case 20...63:
            return .dtls
        case 128...191:
            guard let secondByte else { return .unknown }
            return (192...223).contains(secondByte) ? .rtcp : .rtp
        default:
            return .unknown
        }
    }

    /// Classifies a whole datagram; empty input is `.unknown`.
    public static func classify(_ datagram: UnsafeRawBufferPointer) -> Kind {
        guard let first = datagram.first else { return .unknown }
        return classify(firstByte: first, secondByte: datagram.count > 1 ? datagram[1] : nil)
    }
}
