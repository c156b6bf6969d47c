import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A desktop stream's audio (capture.md §3, SHOULD of streaming.md §5.2): one thread records
/// 20 ms blocks from PulseAudio (`PulseAudioReader`), encodes each with `OpusAudioEncoder` and
/// hands it to `sink` as track `audio`, codec `opus`.
///
/// A/V sync: `pts` is on the video's clock, `CaptureClock` microseconds since `clockOrigin`,
/// stamped with the capture time of each block's first sample (read time − PulseAudio's latency −
/// 20 ms) of the first block. After that the samples themselves keep time (20 ms per block):
/// PulseAudio's latency estimate jitters by tens of milliseconds as blocks arrive in bursts, the
/// sample count does not. A count that drifts more than 200 ms from the clock (a stall, an
/// overrun that lost samples) is re-anchored.
///
/// Failures (no server, server gone) end the thread and are reported once to `onFailure`.
public final class DesktopAudioRunner: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var framesEncoded = 0
        public var bytes = 0
        /// Times the sample count was re-anchored to the clock.
        public var reanchors = 0
    }

    private struct Control {
        var stopping = false
        var statistics = Statistics()
    }

    private let control = Mutex(Control())
    private let finished = DispatchGroup()

    /// Starts the audio thread. `source` nil = `PULSE_SOURCE` or the default sink's monitor; `server`
    /// nil = libpulse's default (`PULSE_SERVER`, then the user's runtime folder).
    public init(
        source: String? = nil, server: String? = nil, clockOrigin: Int64,
        onFailure: @escaping @Sendable (DesktopAudioError) -> Void,
        sink: @escaping @Sendable (EncodedFrame) -> Void
    ) {
        finished.enter()
        let finished = finished
        let thread = Thread { [weak self] in
            defer { finished.leave() }
            do throws(DesktopAudioError) {
                try Self.captureLoop(source: source, server: server, clockOrigin: clockOrigin, sink: sink) { self }
            } catch {
                onFailure(error)
            }
        }
        thread.name = "marionette-audio"
        thread.start()
    }

    public var statistics: Statistics { control.withLock { $0.statistics } }

    /// Stops the thread and waits for it (at most one 20 ms block). Idempotent.
    public func stop() {
        control.withLock { $0.stopping = true }
        finished.wait()
    }

    private var stopping: Bool { control.withLock { $0.stopping } }

    private static func captureLoop(
        source: String?, server: String?, clockOrigin: Int64, sink: @Sendable (EncodedFrame) -> Void,
        runner: () -> DesktopAudioRunner?
    ) throws(DesktopAudioError) {
        let reader = try PulseAudioReader(source: source, server: server)
        let encoder: OpusAudioEncoder
        do { encoder = try OpusAudioEncoder() } catch { throw .encoder(error) }
        let frameMicroseconds = Int64(OpusAudioEncoder.frameSamples) * 1_000_000 / Int64(OpusAudioEncoder.sampleRate)
        var pcm = [Int16](repeating: 0, count: OpusAudioEncoder.frameSamples * OpusAudioEncoder.channels)
        var anchor: Int64?  // pts of the block counted from
        var blocks: Int64 = 0
        var lastPts = Int64.min
        while let runner = runner(), !runner.stopping {
            try pcm.withUnsafeMutableBytes { bytes in Result { () throws(DesktopAudioError) in try reader.read(into: bytes) } }.get()
            let now = CaptureClock.monotonicNanoseconds()
            let measured = (now - clockOrigin) / 1000 - reader.latencyMicroseconds() - frameMicroseconds
            var pts = (anchor ?? measured) + blocks * frameMicroseconds
            var reanchored = false
            if anchor == nil || abs(pts - measured) > 10 * frameMicroseconds {
                reanchored = anchor != nil
                anchor = measured
                blocks = 0
                pts = measured
            }
            pts = max(pts, lastPts &+ 1)  // monotonic per track (runner-protocol.md §11)
            lastPts = pts
            blocks += 1
            let encoded = pcm.withUnsafeBufferPointer { samples in
                Result { () throws(OpusAudioEncoderError) in try encoder.encode(samples) }
            }
            let packet: [UInt8]
            switch encoded {
            case .success(let bytes): packet = bytes
            case .failure(let error): throw .encoder(error)
            }
            sink(
                EncodedFrame(
                    trackID: "audio", ptsMicroseconds: pts, durationMicroseconds: frameMicroseconds, keyframe: false,
                    data: packet, width: 0, height: 0, codec: "opus"))
            runner.control.withLock {
                $0.statistics.framesEncoded += 1
                $0.statistics.bytes += packet.count
                if reanchored { $0.statistics.reanchors += 1 }
            }
        }
    }
}
