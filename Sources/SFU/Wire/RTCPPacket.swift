/// One classified RTCP packet. Each case carries a small value holding scalar
/// fields and offsets into the datagram buffer it was parsed from.
public enum RTCPPacket: Sendable, Equatable {
    /// SR (PT 200).
    case senderReport(RTCPSenderReport)
    /// RR (PT 201).
    case receiverReport(RTCPReceiverReport)
    /// SDES (PT 202); contents are not parsed.
    case sourceDescription(RTCPPacketHeader)
    /// BYE (PT 203).
    case bye(RTCPBye)
    /// RTPFB FMT 1: generic NACK (RFC 4585 §6.2.1).
    case nack(RTCPGenericNack)
    /// RTPFB FMT 15: transport-wide congestion control feedback.
    case transportWideCC(RTCPTransportWideCC)
    /// PSFB FMT 1: picture loss indication (RFC 4585 §6.3.1).
    case pictureLossIndication(RTCPPictureLossIndication)
    /// PSFB FMT 4: full intra request (RFC 5104 §4.3.1).
    case fullIntraRequest(RTCPFullIntraRequest)
    /// PSFB FMT 15 with the "REMB" identifier.
    case remb(RTCPRemb)
    /// Any other packet type or feedback format (APP, XR, other AFB, ...).
    case other(RTCPPacketHeader)

    /// The common header of this packet.
    public var header: RTCPPacketHeader {
        switch self {
        case .senderReport(let p): p.header
        case .receiverReport(let p): p.header
        case .sourceDescription(let h): h
        case .bye(let p): p.header
        case .nack(let p): p.header
        case .transportWideCC(let p): p.header
        case .pictureLossIndication(let p): p.header
        case .fullIntraRequest(let p): p.header
        case .remb(let p): p.header
        case .other(let h): h
        }
    }

    /// Classifies and validates the packet described by `header` (already validated
    /// against `buffer`).
    public init(header: RTCPPacketHeader, in buffer: UnsafeRawBufferPointer) throws(RTCPParseError) {
        guard header.offset >= 0, header.offset + header.length <= buffer.count else { throw .truncated }
        switch header.packetType {
        case RTCPPacketType.senderReport:
            self = .senderReport(try RTCPSenderReport(header: header, in: buffer))
        case RTCPPacketType.receiverReport:
            self = .receiverReport(try RTCPReceiverReport(header: header, in: buffer))
        case RTCPPacketType.sourceDescription:
            self = .sourceDescription(header)
        case RTCPPacketType.bye:
            self = .bye(try RTCPBye(header: header, in: buffer))
        case RTCPPacketType.transportFeedback:
            guard header.bodyLength >= 8 else { throw .malformed }
            switch header.format {
            case 1: self = .nack(try RTCPGenericNack(header: header, in: buffer))
            case 15: self = .transportWideCC(try RTCPTransportWideCC(header: header, in: buffer))
            default: self = .other(header)
            }
        case RTCPPacketType.payloadFeedback:
            guard header.bodyLength >= 8 else { throw .malformed }
            switch header.format {
            case 1: self = .pictureLossIndication(RTCPPictureLossIndication(header: header, in: buffer))
            case 4: self = .fullIntraRequest(try RTCPFullIntraRequest(header: header, in: buffer))
            case 15:
                if RTCPRemb.hasIdentifier(header: header, in: buffer) {
                    self = .remb(try RTCPRemb(header: header, in: buffer))
                } else {
                    self = .other(header)
                }
            default: self = .other(header)
            }
        default:
            self = .other(header)
        }
    }
}
