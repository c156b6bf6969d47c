/// Fuzzing entry point for the RTCP parsers: walks every packet of a compound
/// datagram and every list inside it (report blocks, NACK, TWCC, FIR, REMB,
/// BYE). Must never trap.
public enum RTCPFuzzEntry {
    /// Runs every RTCP parser reachable from `data`.
    public static func run(_ data: UnsafeRawBufferPointer) {
        var sink = 0
        var packets = RTCPCompoundIterator(data)
        while true {
            let packet: RTCPPacket?
            do { packet = try packets.next() } catch { break }
            guard let packet else { break }
            sink &+= packet.header.length
            switch packet {
            case .senderReport(let sr):
                for block in sr.reportBlocks(in: data) { sink &+= Int(block.cumulativeLost) }
            case .receiverReport(let rr):
                for block in rr.reportBlocks(in: data) { sink &+= Int(block.fractionLost) }
            case .bye(let bye):
                for ssrc in bye.ssrcs(in: data) { sink &+= Int(ssrc & 0xFF) }
            case .nack(let nack):
                for seq in nack.lostSequenceNumbers(in: data) { sink &+= Int(seq) }
            case .transportWideCC(let twcc):
                try? twcc.forEachPacket(in: data) { status in sink &+= Int(status.delta ?? 0) }
            case .fullIntraRequest(let fir):
                for entry in fir.entries(in: data) { sink &+= Int(entry.sequenceNumber) }
            case .remb(let remb):
                sink &+= Int(truncatingIfNeeded: remb.bitrate)
                for ssrc in remb.ssrcs(in: data) { sink &+= Int(ssrc & 0xFF) }
            case .pictureLossIndication, .sourceDescription, .other:
                break
            }
        }
        _ = sink
    }
}
