import NIOCore
import Testing

@testable import Gateway

/// The bounded runner → client queue of the tunnel connect WebSocket.
@Suite struct TunnelWebSocketOutputBufferTests {
    typealias Buffer = TunnelWebSocketOutputBuffer

    func bytes(_ count: Int) -> Buffer.Item {
        .bytes(ByteBuffer(repeating: 0x61, count: count))
    }

    @Test func pausesAboveTheHighMarkAndResumesBelowTheLowMark() {
        var buffer = Buffer(highMark: 100, lowMark: 40)
        let appended = [bytes(60), bytes(60), bytes(10)].map { buffer.append($0) }
        #expect(appended == [.none, .pause, .none])  // the third: already paused
        #expect(buffer.queuedBytes == 130)
        var signals: [Buffer.Signal] = []
        while let (_, signal) = buffer.pop() { signals.append(signal) }
        #expect(signals == [.none, .resume, .none])  // 70 left, then 10 (< 40), then 0
        #expect(!buffer.paused && buffer.queuedBytes == 0)
    }

    @Test func theCloseComesLastAndNothingIsTakenAfterIt() {
        var buffer = Buffer(highMark: 100, lowMark: 40)
        let close = Buffer.Item.close(.init(code: 1000, reason: ""))
        for item in [bytes(5), close, bytes(5)] { _ = buffer.append(item) }
        var items: [Buffer.Item] = []
        while let (item, _) = buffer.pop() { items.append(item) }
        #expect(items == [bytes(5), close])
        #expect(buffer.closed && buffer.queuedBytes == 0)
    }
}
