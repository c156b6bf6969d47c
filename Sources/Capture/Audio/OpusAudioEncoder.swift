import COpus
import CShims

/// libopus for a desktop stream's audio track (capture.md §3): 48 kHz stereo, 20 ms frames,
/// 128 kbit/s CBR, fullband, complexity 10, in-band FEC off. Browsers decode it as `opus/48000/2`
/// (RFC 7587) without transcoding.
///
/// Thread confinement: an encoder is created, used and dropped on the audio thread (libopus state
/// is not thread-safe and encoding must not run on an event loop), hence a non-Sendable class.
public final class OpusAudioEncoder {
    public static let sampleRate = 48_000
    public static let channels = 2
    /// Samples per channel in one 20 ms frame.
    public static let frameSamples = 960
    /// Bytes of one 20 ms frame of interleaved s16le stereo.
    public static let frameBytes = frameSamples * channels * 2

    private let encoder: OpaquePointer
    /// Large enough for any 20 ms packet at these settings (RFC 6716 caps a frame at 1,275 bytes).
    private var packet = [UInt8](repeating: 0, count: 1500)

    public init(bitsPerSecond: Int = 128_000, complexity: Int = 10) throws(OpusAudioEncoderError) {
        guard (6_000...510_000).contains(bitsPerSecond) else { throw .invalidInput("bitrate \(bitsPerSecond) bit/s") }
        guard (0...10).contains(complexity) else { throw .invalidInput("complexity \(complexity)") }
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(Int32(Self.sampleRate), Int32(Self.channels), OPUS_APPLICATION_AUDIO, &error),
            error == OPUS_OK
        else { throw .creation(Self.text(error)) }
        let raw = UnsafeMutableRawPointer(encoder)
        let controls: [(String, Int32)] = [
            ("OPUS_SET_BITRATE", mshim_opus_set_bitrate(raw, Int32(bitsPerSecond))),
            ("OPUS_SET_VBR", mshim_opus_set_vbr(raw, 0)),
            ("OPUS_SET_BANDWIDTH", mshim_opus_set_bandwidth_fullband(raw)),
            ("OPUS_SET_COMPLEXITY", mshim_opus_set_complexity(raw, Int32(complexity))),
            ("OPUS_SET_INBAND_FEC", mshim_opus_set_inband_fec(raw, 0)),
        ]
        for (name, code) in controls where code != OPUS_OK {
            opus_encoder_destroy(encoder)
            throw .control(name, Self.text(code))
        }
        self.encoder = encoder
    }

    deinit { opus_encoder_destroy(encoder) }

    /// Encodes one 20 ms frame of interleaved s16 stereo (`frameSamples × channels` samples).
    public func encode(_ pcm: UnsafeBufferPointer<Int16>) throws(OpusAudioEncoderError) -> [UInt8] {
        guard pcm.count == Self.frameSamples * Self.channels, let samples = pcm.baseAddress else {
            throw .invalidInput("\(pcm.count) samples, one 20 ms stereo frame is \(Self.frameSamples * Self.channels)")
        }
        let length = packet.withUnsafeMutableBufferPointer { out in
            opus_encode(encoder, samples, Int32(Self.frameSamples), out.baseAddress!, Int32(out.count))
        }
        guard length > 0 else { throw .encode(Self.text(length)) }
        return Array(packet[0..<Int(length)])
    }

    static func text(_ code: Int32) -> String { String(cString: opus_strerror(code)) }
}
