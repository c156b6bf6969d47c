import Foundation
import Testing

@testable import SFU

/// Transport-cc feedback to a WHIP publisher over real SRTCP: every packet with a transport-wide
/// sequence number (RTX included) is reported once, lost ones as not received, with arrival times
/// that keep the publisher's send spacing, about every 100 ms.
@Suite(.serialized) struct SFUTransportWideCCLoopbackTests {
    @Test func publisherPacketsAreAnsweredWithTransportFeedback() async throws {
        let sfu = try await SFULoopbackTests.start()
        defer { Task { await sfu.stop() } }
        let publisher = try TestWebRTCPeer()
        let published = try await sfu.addPublisher(
            streamID: "strm_twcc", media: SFULoopbackTests.media, offer: publisher.offer(sending: true, transportCC: true))
        #expect(published.answer.contains("a=rtcp-fb:96 transport-cc"))
        #expect(published.answer.contains("a=extmap:3 \(SDPExtmap.URI.transportWideCC)"))
        try publisher.accept(answer: published.answer)
        _ = try await publisher.connect()

        // 40 packets 5 ms apart with transport-wide numbers 65,520 … 65,559 (wrapping); 65,530 and
        // 65,531 are never sent (lost); every fifth is an RTX packet (payload type 97).
        let lost: Set<UInt16> = [65_530, 65_531]
        var sentAt: [UInt16: Int64] = [:]
        let start = ContinuousClock.now
        for index in 0..<40 {
            let sequence = UInt16(truncatingIfNeeded: 65_520 + index)
            if lost.contains(sequence) {
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            let packet = vp8Packet(
                sequence: UInt16(index), timestamp: UInt32(index / 3) * 3000, payloadType: index % 5 == 4 ? 97 : 96,
                start: index % 3 == 0, keyframe: index == 0, marker: index % 3 == 2, size: 300)
            try publisher.sendRTP(withTransportSequence(packet, id: 3, sequence: sequence))
            let elapsed = ContinuousClock.now - start
            sentAt[sequence] = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
            try await Task.sleep(for: .milliseconds(5))
        }

        // Collect the feedback (RTPFB FMT 15) for up to a second.
        var arrivals: [UInt16: Int64?] = [:]
        var duplicates = 0
        var counts: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline, arrivals.count < 40 {
            guard case .rtcp(let bytes)? = try await publisher.pollMedia(milliseconds: 100) else { continue }
            for packet in try rtcpPackets(bytes) {
                guard case .transportWideCC(let feedback) = packet else { continue }
                counts.append(feedback.feedbackPacketCount)
                var time = feedback.referenceTimeMicroseconds
                try bytes.withUnsafeBytes { raw in
                    try feedback.forEachPacket(in: raw) { status in
                        if arrivals[status.sequenceNumber] != nil { duplicates += 1 }
                        if let delta = status.deltaMicroseconds {
                            time += delta
                            arrivals[status.sequenceNumber] = .some(time)
                        } else {
                            arrivals[status.sequenceNumber] = .some(nil)
                        }
                    }
                }
            }
        }
        #expect(arrivals.count == 40, "covered \(arrivals.count) of 40")
        #expect(duplicates == 0)
        #expect(counts.count >= 2 && counts == (0..<UInt8(counts.count)).map { $0 }, "feedback counts \(counts)")
        for sequence in lost { #expect(arrivals[sequence] == .some(nil), "\(sequence) reported received") }
        let received = sentAt.keys.sorted { UInt16(truncatingIfNeeded: $0 &- 65_520) < UInt16(truncatingIfNeeded: $1 &- 65_520) }
        #expect(received.allSatisfy { arrivals[$0].flatMap { $0 } != nil }, "a sent packet reported lost")
        // Arrival spacing follows send spacing: first to last within half the send span (at least
        // 200 ms; a loaded machine's scheduling moved one run by 141 ms of 100 allowed) or 100 ms,
        // while a wrong unit or a lost wrap would be off by the span or more; arrivals keep the
        // send order. Single steps are not bounded: scheduling moves them on a loaded machine.
        if let first = received.first, let last = received.last,
            let firstArrival = arrivals[first].flatMap({ $0 }), let lastArrival = arrivals[last].flatMap({ $0 })
        {
            let sentSpan = sentAt[last]! - sentAt[first]!
            let arrivedSpan = lastArrival - firstArrival
            print("TWCC-FIGURES: \(counts.count) feedback messages, send span \(sentSpan) µs, arrival span \(arrivedSpan) µs")
            #expect(abs(arrivedSpan - sentSpan) <= max(100_000, sentSpan / 2), "sent over \(sentSpan) µs, arrived over \(arrivedSpan) µs")
            for pair in zip(received, received.dropFirst()) {
                let sent = sentAt[pair.1]! - sentAt[pair.0]!
                let arrived = arrivals[pair.1]!! - arrivals[pair.0]!!
                #expect(arrived >= 0, "\(pair): sent \(sent) µs apart, arrived \(arrived) µs apart")
            }
        }
        let stats = try #require(await sfu.stats())
        #expect(stats.counters.transportFeedbackSent == UInt64(counts.count))
    }
}
