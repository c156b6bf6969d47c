/// One transport-wide congestion control feedback message (RTPFB FMT 15,
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) built from the arrival times of
/// consecutive transport-wide sequence numbers, as a receiver sends it to the media sender:
///
/// ```
/// |V=2|P| FMT=15 | PT=205 | length | sender SSRC | media SSRC |
/// | base sequence number | packet status count | reference time (24) | fb pkt count |
/// | packet chunks (16 bits each) … | receive deltas (8 or 16 bits each) … | padding |
/// ```
///
/// Reference time is the first received packet's arrival in 64 ms units; each receive delta is the
/// time since the previous received packet (the first: since the reference time) in 250 µs units,
/// one byte when it is 0…63.75 ms ("small"), two bytes signed otherwise ("large or negative").
/// Deltas are rounded against the times already reported, so rounding never accumulates. Chunks:
/// a run-length chunk for 14 or more equal symbols (or 7 or more when a status vector would need
/// 2-bit symbols), else a 1-bit status vector of 14 symbols, else a 2-bit vector of 7. The packet
/// is padded to 32 bits with RTCP padding (P bit, last byte the count). Pure; the arrays are built
/// once per message (every ~100 ms), never per packet.
public struct RTCPTransportWideCCBuilder: Sendable, Equatable {
    /// Symbols of the packet status chunks.
    enum Symbol: UInt16 { case notReceived = 0, small = 1, large = 2 }

    public let senderSSRC: UInt32
    public let mediaSSRC: UInt32
    public let baseSequenceNumber: UInt16
    public let feedbackPacketCount: UInt8
    /// The 24-bit reference time field (64 ms units, wrapped).
    public let referenceTime: UInt32
    /// How many of the given arrivals the message covers (fewer when a delta does not fit 16 bits,
    /// or when more were given than one message may carry).
    public let packetStatusCount: Int
    private let chunks: [UInt16]
    private let deltas: [Int16]
    private let deltaBytes: Int

    /// At most this many statuses per message (keeps it well under the 1,200-byte MTU even when every
    /// delta is large: 20 + 2 × 200 / 7 + 2 × 200 bytes).
    public static let maxStatusCount = 200

    /// `arrivalsMicroseconds[i]` is when `baseSequenceNumber + i` arrived (any monotonic clock, in
    /// µs, ≥ 0), or nil if it did not. Nil when no arrival among them is usable (the message must
    /// carry at least one received packet).
    public init?(
        senderSSRC: UInt32, mediaSSRC: UInt32, baseSequenceNumber: UInt16, feedbackPacketCount: UInt8,
        arrivalsMicroseconds: some Collection<Int64?>
    ) {
        guard let firstArrival = arrivalsMicroseconds.lazy.compactMap({ $0 }).first, firstArrival >= 0 else { return nil }
        let reference = firstArrival / 64_000
        var reported = reference * 64_000  // the receive time the feedback so far implies
        var symbols: [Symbol] = []
        var deltas: [Int16] = []
        var deltaBytes = 0
        symbols.reserveCapacity(min(arrivalsMicroseconds.count, Self.maxStatusCount))
        for arrival in arrivalsMicroseconds.prefix(Self.maxStatusCount) {
            guard let arrival else {
                symbols.append(.notReceived)
                continue
            }
            let difference = arrival - reported
            // Nearest multiple of 250 µs, halves away from zero.
            let ticks = difference >= 0 ? (difference + 125) / 250 : -((-difference + 125) / 250)
            guard ticks >= Int64(Int16.min), ticks <= Int64(Int16.max) else { break }  // next message
            if (0...255).contains(ticks) {
                symbols.append(.small)
                deltaBytes += 1
            } else {
                symbols.append(.large)
                deltaBytes += 2
            }
            deltas.append(Int16(ticks))
            reported += ticks * 250
        }
        // Trailing packets that did not arrive say nothing yet; the next message covers them.
        while symbols.last == .notReceived { symbols.removeLast() }
        guard !symbols.isEmpty else { return nil }
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.feedbackPacketCount = feedbackPacketCount
        self.referenceTime = UInt32(truncatingIfNeeded: reference) & 0xFF_FFFF
        self.packetStatusCount = symbols.count
        self.chunks = Self.encode(symbols)
        self.deltas = deltas
        self.deltaBytes = deltaBytes
    }

    /// Packs `symbols` into run-length and status-vector chunks.
    static func encode(_ symbols: [Symbol]) -> [UInt16] {
        var chunks: [UInt16] = []
        var i = 0
        while i < symbols.count {
            var run = 1
            while i + run < symbols.count, run < 0x1FFF, symbols[i + run] == symbols[i] { run += 1 }
            let window = symbols[i..<min(i + 14, symbols.count)]
            let oneBit = !window.contains(.large)
            if run >= 14 || (run >= 7 && !oneBit) {
                chunks.append(symbols[i].rawValue << 13 | UInt16(run))  // T=0, S, run length
                i += run
            } else if oneBit {
                var chunk: UInt16 = 0x8000  // T=1, S=0: 14 one-bit symbols
                for (k, symbol) in window.enumerated() { chunk |= symbol.rawValue << UInt16(13 - k) }
                chunks.append(chunk)
                i += window.count
            } else {
                var chunk: UInt16 = 0xC000  // T=1, S=1: 7 two-bit symbols
                let pairs = symbols[i..<min(i + 7, symbols.count)]
                for (k, symbol) in pairs.enumerated() { chunk |= symbol.rawValue << UInt16(12 - 2 * k) }
                chunks.append(chunk)
                i += pairs.count
            }
        }
        return chunks
    }

    private var unpaddedLength: Int { 20 + 2 * chunks.count + deltaBytes }

    /// Total bytes `write` produces (a multiple of 4).
    public var length: Int { (unpaddedLength + 3) & ~3 }

    /// Writes the message at `offset` and returns its length; nothing is written when it does not fit.
    public func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) throws(RTPWriteError) -> Int {
        let total = length
        guard offset >= 0, offset <= buffer.count else { throw .invalidValue }
        guard buffer.count - offset >= total else { throw .bufferTooSmall(needed: total) }
        let padding = total - unpaddedLength
        buffer[offset] = (padding > 0 ? 0xA0 : 0x80) | 15  // V=2, P, FMT=15
        buffer[offset + 1] = RTCPPacketType.transportFeedback
        RTPBytes.put16(buffer, offset + 2, UInt16(total / 4 - 1))
        RTPBytes.put32(buffer, offset + 4, senderSSRC)
        RTPBytes.put32(buffer, offset + 8, mediaSSRC)
        RTPBytes.put16(buffer, offset + 12, baseSequenceNumber)
        RTPBytes.put16(buffer, offset + 14, UInt16(packetStatusCount))
        RTPBytes.put24(buffer, offset + 16, referenceTime)
        buffer[offset + 19] = feedbackPacketCount
        var o = offset + 20
        for chunk in chunks {
            RTPBytes.put16(buffer, o, chunk)
            o += 2
        }
        for delta in deltas {
            if (0...255).contains(delta) {
                buffer[o] = UInt8(delta)
                o += 1
            } else {
                RTPBytes.put16(buffer, o, UInt16(bitPattern: delta))
                o += 2
            }
        }
        if padding > 0 {
            RTPBytes.zero(buffer, o..<(offset + total - 1))
            buffer[offset + total - 1] = UInt8(padding)
        }
        return total
    }
}
