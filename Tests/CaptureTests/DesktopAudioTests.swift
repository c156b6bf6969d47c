import COpus
import Foundation
import Synchronization
import Testing

@testable import Capture

/// Desktop audio (capture.md §3): libopus at the spec's settings, and PulseAudio monitor capture
/// against a real PulseAudio with a null sink playing a tone.
@Suite(.serialized) struct DesktopAudioTests {
    /// libopus's decoder: interleaved stereo s16 of one packet.
    final class TestDecoder {
        private let decoder: OpaquePointer
        init() throws {
            var error: Int32 = 0
            guard let decoder = opus_decoder_create(48_000, 2, &error), error == OPUS_OK else {
                throw PulseAudioTestServer.Failure(description: "opus_decoder_create: \(error)")
            }
            self.decoder = decoder
        }
        deinit { opus_decoder_destroy(decoder) }
        func decode(_ packet: [UInt8]) -> [Int16] {
            var pcm = [Int16](repeating: 0, count: 5760 * 2)
            let samples = packet.withUnsafeBufferPointer { p in
                pcm.withUnsafeMutableBufferPointer { opus_decode(decoder, p.baseAddress, Int32(p.count), $0.baseAddress!, 5760, 0) }
            }
            return samples > 0 ? Array(pcm[0..<Int(samples) * 2]) : []
        }
    }

    static func rms(_ samples: ArraySlice<Int16>) -> Double {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }

    /// The strongest frequency of the left channel between 100 and 4,000 Hz (Goertzel, 10 Hz steps,
    /// then 1 Hz around the best): a dropout or noise at the zero crossings, which a loaded machine
    /// can cause in a live capture, does not move it (it did move a count of zero crossings).
    static func frequency(_ interleaved: ArraySlice<Int16>) -> Double {
        let left = stride(from: interleaved.startIndex, to: interleaved.endIndex, by: 2).map { Double(interleaved[$0]) }
        func power(_ frequency: Double) -> Double {
            let coefficient = 2 * cos(2 * Double.pi * frequency / 48_000)
            var (previous, beforePrevious) = (0.0, 0.0)
            for sample in left {
                let current = sample + coefficient * previous - beforePrevious
                beforePrevious = previous
                previous = current
            }
            return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
        }
        func strongest(_ candidates: some Sequence<Double>) -> Double {
            candidates.map { ($0, power($0)) }.max { $0.1 < $1.1 }?.0 ?? 0
        }
        let coarse = strongest(stride(from: 100.0, through: 4_000, by: 10))
        return strongest(stride(from: coarse - 10, through: coarse + 10, by: 1))
    }

    @Test func opusKeepsAToneAtTheConfiguredRate() throws {
        let encoder = try OpusAudioEncoder()
        let decoder = try TestDecoder()
        var decoded: [Int16] = []
        var sizes: [Int] = []
        for frame in 0..<50 {
            let pcm = (0..<OpusAudioEncoder.frameSamples).flatMap { n -> [Int16] in
                let t = Double(frame * OpusAudioEncoder.frameSamples + n) / 48_000
                let value = Int16(0.5 * 32_767 * sin(2 * Double.pi * 1000 * t))
                return [value, value]
            }
            let packet = try pcm.withUnsafeBufferPointer { try encoder.encode($0) }
            sizes.append(packet.count)
            decoded += decoder.decode(packet)
        }
        // 128 kbit/s CBR = 320 bytes per 20 ms.
        #expect(sizes.dropFirst().allSatisfy { (300...340).contains($0) }, "packet sizes \(sizes)")
        let steady = decoded[(decoded.count / 2)...]
        let level = Self.rms(steady) / (0.5 * 32_767 / 2.0.squareRoot())
        #expect(level > 0.8 && level < 1.2, "decoded level \(level) of the input's")
        #expect(abs(Self.frequency(steady) - 1000) < 20, "decoded tone \(Self.frequency(steady)) Hz")
        #expect(throws: OpusAudioEncoderError.self) { try [Int16](repeating: 0, count: 10).withUnsafeBufferPointer { try encoder.encode($0) } }
    }

    @Test(.enabled(if: PulseAudioTestServer.enabled, PulseAudioTestServer.skipReason))
    func capturesWhatTheDesktopPlaysOnTheVideoClock() throws {
        let pulse = try PulseAudioTestServer()
        defer { pulse.stop() }
        try pulse.playTone(frequency: 440)
        let frames = Mutex<[(frame: EncodedFrame, receivedMicroseconds: Int64)]>([])
        let failure = Mutex<DesktopAudioError?>(nil)
        let origin = CaptureClock.monotonicNanoseconds()
        let runner = DesktopAudioRunner(
            server: pulse.server, clockOrigin: origin, onFailure: { error in failure.withLock { $0 = error } },
            sink: { frame in
                let received = (CaptureClock.monotonicNanoseconds() - origin) / 1000
                frames.withLock { $0.append((frame, received)) }
            })
        let deadline = Date().addingTimeInterval(10)
        while frames.withLock({ $0.count }) < 75, failure.withLock({ $0 }) == nil, Date() < deadline { usleep(20_000) }
        runner.stop()
        #expect(failure.withLock { $0 } == nil)
        let received = frames.withLock { $0 }
        let captured = received.map(\.frame)
        try #require(captured.count >= 75, "\(captured.count) frames in 10 s")
        #expect(captured.allSatisfy { $0.trackID == "audio" && $0.codec == "opus" && $0.durationMicroseconds == 20_000 })
        // pts: on the video's clock, the capture time of each block's first sample: before the
        // block was handed over, by at most PulseAudio's buffering; 20 ms apart, increasing.
        for (frame, at) in received {
            #expect(frame.ptsMicroseconds <= at && frame.ptsMicroseconds > at - 2_500_000, "pts \(frame.ptsMicroseconds) µs, handed over at \(at) µs")
        }
        let pts = captured.map(\.ptsMicroseconds)
        let steps = zip(pts, pts.dropFirst()).map { $1 - $0 }
        #expect(steps.allSatisfy { $0 > 0 })
        #expect(steps.filter { $0 == 20_000 }.count >= steps.count - 2, "pts steps \(steps)")
        #expect(runner.statistics.reanchors <= 2)
        #expect(runner.statistics.framesEncoded == captured.count)
        // The tone is in it.
        let decoder = try TestDecoder()
        let pcm = captured.flatMap { decoder.decode($0.data) }
        let tail = pcm[(pcm.count / 2)...]
        #expect(Self.rms(tail) > 0.3 * 0.5 * 32_767 / 2.0.squareRoot(), "captured level \(Self.rms(tail))")
        #expect(abs(Self.frequency(tail) - 440) < 15, "captured tone \(Self.frequency(tail)) Hz")
    }

    @Test func noServerFailsWithAReasonThatSaysWhatToDo() throws {
        let failure = Mutex<DesktopAudioError?>(nil)
        let runner = DesktopAudioRunner(
            server: "unix:/nonexistent/marionette-test/native", clockOrigin: 0,
            onFailure: { error in failure.withLock { $0 = error } }, sink: { _ in })
        let deadline = Date().addingTimeInterval(10)
        while failure.withLock({ $0 }) == nil, Date() < deadline { usleep(10_000) }
        runner.stop()
        let error = try #require(failure.withLock { $0 })
        guard case .unavailable = error else {
            Issue.record("expected .unavailable, got \(error)")
            return
        }
        #expect(error.statusCode == "audio_unavailable")
        #expect(error.description.contains("PULSE_SERVER") && error.description.contains("\"audio\": false"))
    }
}
