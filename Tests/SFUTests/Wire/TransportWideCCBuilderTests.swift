import Testing

@testable import SFU

/// Transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): byte-exact
/// layouts of each chunk kind, and round trips through the parser with arrival times recovered to
/// within half a 250 µs tick, however many packets.
@Suite struct TransportWideCCBuilderTests {
    static func build(base: UInt16 = 0, count: UInt8 = 0, _ arrivals: [Int64?]) -> RTCPTransportWideCCBuilder? {
        RTCPTransportWideCCBuilder(
            senderSSRC: 0x0102_0304, mediaSSRC: 0x0A0B_0C0D, baseSequenceNumber: base, feedbackPacketCount: count,
            arrivalsMicroseconds: arrivals)
    }

    /// Parses `bytes` back into (sequence, arrival µs or nil) with our parser.
    static func parse(_ bytes: [UInt8]) throws -> (RTCPTransportWideCC, [(UInt16, Int64?)]) {
        guard case .transportWideCC(let feedback) = try rtcpSingle(bytes) else { throw RTCPParseError.malformed }
        var time = feedback.referenceTimeMicroseconds
        let statuses = try twccStatuses(bytes, feedback).map { status -> (UInt16, Int64?) in
            guard let delta = status.deltaMicroseconds else { return (status.sequenceNumber, nil) }
            time += delta
            return (status.sequenceNumber, time)
        }
        return (feedback, statuses)
    }

    @Test func twoBitVectorWithSmallLargeAndLostIsByteExact() throws {
        // Reference 64 ms (1 unit); +250 µs, +250 µs, lost, +100 ms (400 ticks: two bytes).
        let feedback = try #require(Self.build(base: 0xFFFE, count: 7, [64_250, 64_500, nil, 164_500]))
        #expect(feedback.packetStatusCount == 4 && feedback.length == 28)
        let bytes = try written { try feedback.write(into: $0) }
        #expect(
            bytes == [
                0xAF, 205, 0x00, 0x06,  // V=2 P=1 FMT=15, RTPFB, 7 words - 1
                0x01, 0x02, 0x03, 0x04, 0x0A, 0x0B, 0x0C, 0x0D,  // sender, media SSRC
                0xFF, 0xFE, 0x00, 0x04,  // base sequence number, status count
                0x00, 0x00, 0x01, 0x07,  // reference time 1 × 64 ms, feedback packet count 7
                0xD4, 0x80,  // 2-bit vector: small, small, not received, large
                0x01, 0x01, 0x01, 0x90,  // deltas 1, 1 and 400 (16 bits)
                0x00, 0x02,  // padding, its length
            ])
        let (parsed, statuses) = try Self.parse(bytes)
        #expect(parsed.baseSequenceNumber == 0xFFFE && parsed.feedbackPacketCount == 7 && parsed.referenceTime == 1)
        #expect(statuses.map(\.0) == [0xFFFE, 0xFFFF, 0, 1])  // across the wrap
        #expect(statuses.map(\.1) == [64_250, 64_500, nil, 164_500])
    }

    @Test func runLengthAndOneBitVectors() throws {
        // 20 packets 1 ms apart: one run-length chunk of 20 "small" symbols.
        let steady = try #require(Self.build((0..<20).map { Int64(1_000_000 + $0 * 1_000) }))
        let steadyBytes = try written { try steady.write(into: $0) }
        #expect(Array(steadyBytes[20..<22]) == [0x20, 0x14])  // T=0, S=1, run 20
        #expect(Array(steadyBytes[16..<19]) == [0, 0, 15])  // 1,000,000 µs / 64 ms = 15
        #expect(steadyBytes[22] == 160)  // 1,000,000 − 960,000 µs = 40 ms = 160 ticks
        #expect(steadyBytes[23..<42].allSatisfy { $0 == 4 } && steady.length == 44)  // then 1 ms = 4 ticks each
        // Received, 30 lost, received: a 1-bit vector (14), a run of 17 lost, a 1-bit vector (1).
        let gap = try #require(Self.build([5_000] + [Int64?](repeating: nil, count: 30) + [5_500]))
        let gapBytes = try written { try gap.write(into: $0) }
        #expect(Array(gapBytes[14..<16]) == [0, 32])
        #expect(Array(gapBytes[20..<26]) == [0xA0, 0x00, 0x00, 0x11, 0xA0, 0x00])
        let (_, statuses) = try Self.parse(gapBytes)
        #expect(statuses.compactMap(\.1) == [5_000, 5_500])
    }

    @Test func negativeDeltasTrailingLossesAndLimits() throws {
        // A reordered packet arrives before its predecessor: a negative (two-byte) delta.
        let reordered = try #require(Self.build([10_000, 9_000]))
        let (_, statuses) = try Self.parse(try written { try reordered.write(into: $0) })
        #expect(statuses.map(\.1) == [10_000, 9_000])
        // Losses at the end are left for the next message; nothing received gives no message.
        #expect(Self.build([1_000, nil, nil])?.packetStatusCount == 1)
        #expect(Self.build([nil, nil]) == nil)
        #expect(Self.build([]) == nil)
        // A delta beyond 16 bits of 250 µs (8.19 s) ends the message before that packet.
        #expect(Self.build([0, 250, 9_000_000, 9_000_250])?.packetStatusCount == 2)
        // At most maxStatusCount statuses per message.
        #expect(Self.build((0..<500).map { Int64($0) * 500 })?.packetStatusCount == RTCPTransportWideCCBuilder.maxStatusCount)
        #expect(throws: RTPWriteError.bufferTooSmall(needed: 28)) {
            _ = try written(capacity: 20) { try #require(Self.build([64_250, 64_500, nil, 164_500])).write(into: $0) }
        }
    }

    @Test func randomArrivalsRoundTripWithoutAccumulatingRounding() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var time = Int64.random(in: 0...10_000_000_000, using: &generator)
            let count = Int.random(in: 1...RTCPTransportWideCCBuilder.maxStatusCount, using: &generator)
            var arrivals: [Int64?] = []
            for _ in 0..<count {
                time += Int64.random(in: -2_000...90_000, using: &generator)  // jitter, reordering, bursts
                arrivals.append(Int.random(in: 0..<10, using: &generator) == 0 ? nil : max(time, 0))
            }
            guard arrivals.contains(where: { $0 != nil }) else { continue }
            let base = UInt16.random(in: 0 ... .max, using: &generator)
            let feedback = try #require(Self.build(base: base, arrivals))
            let (parsed, statuses) = try Self.parse(try written(capacity: 2000) { try feedback.write(into: $0) })
            #expect(Int(parsed.packetStatusCount) == feedback.packetStatusCount)
            for (index, (sequence, recovered)) in statuses.enumerated() {
                #expect(sequence == base &+ UInt16(index))
                switch (arrivals[index], recovered) {
                case (nil, nil): break
                case (let sent?, let got?): #expect(abs(sent - got) <= 125, "packet \(index): \(sent) vs \(got)")
                default: Issue.record("packet \(index): sent \(String(describing: arrivals[index])), parsed \(String(describing: recovered))")
                }
            }
        }
    }

    @Test func recorderReportsEachPacketOnceAcrossTheWrap() throws {
        var recorder = SFUTransportWideCCRecorder()
        #expect(recorder.nextFeedback(senderSSRC: 1, mediaSSRC: 2) == nil)
        // 65,530 … 65,535, 0 … 3 with 65,533 lost and 2 arriving late (after 3).
        for (sequence, time) in [(65530, 1_000), (65531, 2_000), (65532, 3_000), (65534, 5_000), (65535, 6_000), (0, 7_000), (1, 8_000), (3, 10_000), (2, 10_500)] {
            recorder.record(sequenceNumber: UInt16(sequence), arrivalMicroseconds: Int64(time))
        }
        let pending = recorder.nextFeedback(senderSSRC: 1, mediaSSRC: 2)
        let first = try #require(pending)
        let (parsed, statuses) = try Self.parse(try written { try first.write(into: $0) })
        #expect(parsed.baseSequenceNumber == 65530 && parsed.feedbackPacketCount == 0)
        #expect(statuses.map(\.0) == [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3])
        #expect(statuses.map(\.1) == [1_000, 2_000, 3_000, nil, 5_000, 6_000, 7_000, 8_000, 10_500, 10_000])
        #expect(recorder.nextFeedback(senderSSRC: 1, mediaSSRC: 2) == nil)
        // A late copy of a reported packet changes nothing; new packets start the next message.
        recorder.record(sequenceNumber: 65533, arrivalMicroseconds: 11_000)
        recorder.record(sequenceNumber: 4, arrivalMicroseconds: 12_000)
        let next = recorder.nextFeedback(senderSSRC: 1, mediaSSRC: 2)
        let second = try #require(next)
        #expect(second.baseSequenceNumber == 4 && second.packetStatusCount == 1 && second.feedbackPacketCount == 1)
    }
}
