import CPulse

#if canImport(Glibc)
import Glibc
#endif

/// A blocking PulseAudio record stream (libpulse-simple) in the format of capture.md §3: s16le,
/// 48 kHz, stereo, fragments of one 20 ms Opus frame. The source is `PULSE_SOURCE` when set (libpulse
/// reads it), else `@DEFAULT_MONITOR@`, the monitor of the default sink: what the desktop plays (a
/// headless runner gives PulseAudio a null sink to play into). The server comes from libpulse's own
/// rules (`PULSE_SERVER`, then the user's runtime directory).
///
/// Thread confinement: `read` blocks until a fragment is there, so a reader lives on the audio
/// thread only.
final class PulseAudioReader {
    static let defaultSource = "@DEFAULT_MONITOR@"

    private let stream: OpaquePointer

    init(source: String?, server: String? = nil) throws(DesktopAudioError) {
        var spec = pa_sample_spec(
            format: PA_SAMPLE_S16LE, rate: UInt32(OpusAudioEncoder.sampleRate), channels: UInt8(OpusAudioEncoder.channels))
        // (UInt32)-1 = the server's default; fragsize asks for one 20 ms frame per fragment.
        var attributes = pa_buffer_attr(
            maxlength: .max, tlength: .max, prebuf: .max, minreq: .max, fragsize: UInt32(OpusAudioEncoder.frameBytes))
        var error: Int32 = 0
        let device = source ?? (getenv("PULSE_SOURCE") == nil ? Self.defaultSource : nil)
        guard
            let stream = pa_simple_new(
                server, "marionette-agent", PA_STREAM_RECORD, device, "desktop audio", &spec, nil,
                &attributes, &error)
        else {
            throw .unavailable(String(cString: pa_strerror(error)))
        }
        self.stream = stream
    }

    deinit { pa_simple_free(stream) }

    /// Fills `buffer` completely (blocks until the samples are recorded).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DesktopAudioError) {
        var error: Int32 = 0
        guard pa_simple_read(stream, buffer.baseAddress, buffer.count, &error) >= 0 else {
            throw .failed(String(cString: pa_strerror(error)))
        }
    }

    /// How long ago the newest sample returned by `read` was recorded (PulseAudio's own estimate),
    /// in microseconds; 0 when it cannot tell.
    func latencyMicroseconds() -> Int64 {
        var error: Int32 = 0
        let latency = pa_simple_get_latency(stream, &error)
        return latency == UInt64.max ? 0 : Int64(min(latency, 1_000_000))
    }
}
