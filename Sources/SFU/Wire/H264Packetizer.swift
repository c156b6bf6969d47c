/// Splits an H.264 access unit into RTP payloads (RFC 6184, packetization-mode 1) without touching
/// the bytes: `nalUnits` finds the NAL units of an Annex-B buffer (start codes stripped), `plan`
/// decides the packets from their sizes alone, and `write` fills one payload.
///
/// Plan, in NAL order: consecutive NAL units that fit together go into one STAP-A (§5.7.1; the SPS
/// and PPS before an IDR travel that way), a NAL unit that fits alone is a single NAL unit packet
/// (§5.6), and one larger than the payload size is cut into FU-A fragments (§5.8) of sizes that
/// differ by at most one byte. Every payload is at most `maxPayloadSize` bytes.
public enum H264Packetizer {
    /// One RTP payload of the plan; `nal` indexes the NAL unit list given to `plan`.
    public enum Packet: Sendable, Equatable {
        case single(nal: Int)
        /// NAL units `first ..< first + count` aggregated (count ≥ 2).
        case stapA(first: Int, count: Int)
        /// Bytes `range` of NAL unit `nal` after its header byte.
        case fuA(nal: Int, range: Range<Int>, start: Bool, end: Bool)
    }

    public static let stapAType: UInt8 = 24
    public static let fuAType: UInt8 = 28

    /// NAL unit byte ranges of an Annex-B buffer (3- and 4-byte start codes); bytes before the first
    /// start code and the zero bytes before each start code are not part of any unit. A buffer
    /// without a start code is taken as one NAL unit.
    public static func nalUnits(_ b: UnsafeRawBufferPointer) -> [Range<Int>] {
        var units: [Range<Int>] = []
        var start: Int?
        var i = 0
        let n = b.count
        while i + 2 < n {
            if b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1 {
                if let s = start {
                    var end = i
                    while end > s && b[end - 1] == 0 { end -= 1 }  // the leading zero of a 4-byte code, trailing_zero_8bits
                    if end > s { units.append(s..<end) }
                }
                i += 3
                start = i
            } else {
                i += 1
            }
        }
        guard let s = start else { return n > 0 ? [0..<n] : [] }
        var end = n
        while end > s && b[end - 1] == 0 { end -= 1 }  // trailing_zero_8bits: no NAL unit ends in 00
        if end > s { units.append(s..<end) }
        return units
    }

    /// The packets for NAL units of these sizes.
    public static func plan(nalSizes: [Int], maxPayloadSize: Int) -> [Packet] {
        var packets: [Packet] = []
        var group: (first: Int, count: Int, bytes: Int)?  // bytes: STAP-A size if the group is sent as one
        func flush() {
            guard let g = group else { return }
            packets.append(g.count == 1 ? .single(nal: g.first) : .stapA(first: g.first, count: g.count))
            group = nil
        }
        for (index, size) in nalSizes.enumerated() {
            guard size > 0 else { continue }
            if size > maxPayloadSize {
                flush()
                // FU-A: 2 header bytes per fragment carry the NAL header's fields, so the body is size − 1.
                let body = size - 1
                let capacity = maxPayloadSize - 2
                let count = (body + capacity - 1) / capacity
                let base = body / count
                let extra = body % count
                var offset = 1
                for fragment in 0..<count {
                    let length = base + (fragment < extra ? 1 : 0)
                    packets.append(.fuA(nal: index, range: offset..<(offset + length), start: fragment == 0, end: fragment == count - 1))
                    offset += length
                }
                continue
            }
            if let g = group, g.first + g.count == index, g.bytes + 2 + size <= maxPayloadSize {
                group = (g.first, g.count + 1, g.bytes + 2 + size)
            } else {
                flush()
                group = (index, 1, 1 + 2 + size)
            }
        }
        flush()
        return packets
    }

    /// The payload length of `packet`.
    public static func payloadLength(_ packet: Packet, nals: [UnsafeRawBufferPointer]) -> Int {
        switch packet {
        case .single(let nal): return nals[nal].count
        case .stapA(let first, let count): return 1 + nals[first..<(first + count)].reduce(0) { $0 + 2 + $1.count }
        case .fuA(_, let range, _, _): return 2 + range.count
        }
    }

    /// Writes the payload of `packet` into `buffer`; returns its length.
    public static func write(
        _ packet: Packet, nals: [UnsafeRawBufferPointer], into buffer: UnsafeMutableRawBufferPointer
    ) throws(RTPWriteError) -> Int {
        let total = payloadLength(packet, nals: nals)
        guard buffer.count >= total else { throw .bufferTooSmall(needed: total) }
        switch packet {
        case .single(let nal):
            RTPBytes.copy(nals[nal], into: buffer, at: 0)
        case .stapA(let first, let count):
            // F is the OR of the aggregated units' F bits, NRI their maximum (RFC 6184 §5.7.1).
            var forbidden: UInt8 = 0
            var nri: UInt8 = 0
            var offset = 1
            for unit in nals[first..<(first + count)] {
                guard let header = unit.first else { throw .invalidValue }
                forbidden |= header & 0x80
                nri = max(nri, header & 0x60)
                RTPBytes.put16(buffer, offset, UInt16(unit.count))
                RTPBytes.copy(unit, into: buffer, at: offset + 2)
                offset += 2 + unit.count
            }
            buffer[0] = forbidden | nri | stapAType
        case .fuA(let nal, let range, let start, let end):
            let unit = nals[nal]
            guard let header = unit.first, range.upperBound <= unit.count else { throw .invalidValue }
            buffer[0] = header & 0xE0 | fuAType  // FU indicator: F and NRI of the unit
            buffer[1] = (start ? 0x80 : 0) | (end ? 0x40 : 0) | header & 0x1F
            RTPBytes.copy(UnsafeRawBufferPointer(rebasing: unit[range]), into: buffer, at: 2)
        }
        return total
    }
}
