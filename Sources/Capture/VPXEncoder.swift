import CShims
import CVPX

/// libvpx VP8 or VP9 in the realtime screen-share configuration of streaming.md §5.2 / capture.md
/// §4–5. Both: one-pass CBR at `bitrateKbps`, one thread, no lag, quantizer 12–56, undershoot
/// 100 %, overshoot 15 %, buffers 500/600/1000 ms, key frames only at the start and on request,
/// max intra bitrate 900 % at 30 fps, denoiser off. VP8: cpu-used −6, static threshold 100,
/// screen-content mode 2, one token partition (⇒ one packet per frame). VP9 (profile 0 from I420):
/// speed 8 up to 720p and 9 above (capture.md §5: 1080p at speed 8 does not keep 30 fps on one
/// core), row-mt, cyclic-refresh AQ 3, screen-content tuning.
///
/// Thread confinement: a libvpx context is not thread-safe and `encode` blocks for milliseconds, so
/// an encoder is created, used and dropped on ONE dedicated capture thread (never an event loop);
/// that is why it is a non-Sendable class. The libvpx context is created on the first frame and
/// recreated whenever the frame size changes (the first frame after that is a key frame).
public final class VPXEncoder {
    public let codec: VPXCodec
    public let trackID: String
    public let framesPerSecond: Int
    public private(set) var bitrateKbps: Int
    /// Size of the live libvpx context, nil before the first frame.
    public private(set) var size: (width: Int, height: Int)?
    /// How many libvpx contexts were created (1 after the first frame, +1 per size change).
    public private(set) var contextsCreated = 0

    static let timebase: Int32 = 90_000  // RTP video clock (capture.md §4.2); pts converted µs × 9 / 100

    private let context = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
    private let config = UnsafeMutablePointer<vpx_codec_enc_cfg_t>.allocate(capacity: 1)
    private let image = UnsafeMutablePointer<vpx_image_t>.allocate(capacity: 1)
    private var open = false

    public init(codec: VPXCodec = .vp8, trackID: String, bitrateKbps: Int, framesPerSecond: Int = 30) throws(VPXEncoderError) {
        guard bitrateKbps > 0, bitrateKbps <= 1_000_000 else { throw .invalidInput("bitrate \(bitrateKbps) kbit/s") }
        guard framesPerSecond > 0, framesPerSecond <= 240 else { throw .invalidInput("frame rate \(framesPerSecond)") }
        self.codec = codec
        self.trackID = trackID
        self.bitrateKbps = bitrateKbps
        self.framesPerSecond = framesPerSecond
        context.initialize(to: vpx_codec_ctx_t())
        config.initialize(to: vpx_codec_enc_cfg_t())
        image.initialize(to: vpx_image_t())
    }

    deinit {
        close()
        context.deallocate()
        config.deallocate()
        image.deallocate()
    }

    /// Encodes one frame. `ptsMicroseconds` is the capture time on the source's monotonic clock;
    /// `forceKeyframe` asks for a key frame (PLI/FIR). Returns the frames libvpx produced: one, or
    /// none when rate control dropped this input.
    public func encode(i420 frame: I420Frame, ptsMicroseconds: Int64, forceKeyframe: Bool = false)
        throws(VPXEncoderError) -> [EncodedFrame]
    {
        if !open || size?.width != frame.width || size?.height != frame.height {
            try reopen(width: frame.width, height: frame.height)
        }
        let ticks = vpx_codec_pts_t(ptsMicroseconds) * 9 / 100  // µs → 90 kHz
        let duration = UInt(Self.timebase) / UInt(framesPerSecond)
        let flags = forceKeyframe ? vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF) : 0
        let result = frame.y.withUnsafeBufferPointer { y in
            frame.u.withUnsafeBufferPointer { u in
                frame.v.withUnsafeBufferPointer { v in
                    // libvpx copies the picture into its lookahead before returning (lag 0), so the
                    // plane pointers only need to live for this call.
                    image.pointee.planes = (
                        UnsafeMutablePointer(mutating: y.baseAddress), UnsafeMutablePointer(mutating: u.baseAddress),
                        UnsafeMutablePointer(mutating: v.baseAddress), nil
                    )
                    image.pointee.stride = (Int32(frame.strideY), Int32(frame.strideUV), Int32(frame.strideUV), 0)
                    defer { image.pointee.planes = (nil, nil, nil, nil) }
                    return vpx_codec_encode(context, image, ticks, duration, flags, UInt(VPX_DL_REALTIME))
                }
            }
        }
        guard result == VPX_CODEC_OK else { throw .encode(errorText(result)) }
        var frames: [EncodedFrame] = []
        var iterator: vpx_codec_iter_t? = nil
        while let packet = vpx_codec_get_cx_data(context, &iterator) {
            guard packet.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let data = packet.pointee.data.frame
            let bytes = data.buf.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: data.sz)) } ?? []
            frames.append(
                EncodedFrame(
                    trackID: trackID, ptsMicroseconds: ptsMicroseconds,
                    durationMicroseconds: Int64(1_000_000 / framesPerSecond),
                    keyframe: data.flags & vpx_codec_frame_flags_t(VPX_FRAME_IS_KEY) != 0, data: bytes,
                    width: frame.width, height: frame.height, codec: codec.rawValue))
        }
        return frames
    }

    /// Changes the CBR target at once (`vpx_codec_enc_config_set`); before the first frame it only
    /// sets the value the context will be created with.
    public func setBitrate(kbps: Int) throws(VPXEncoderError) {
        guard kbps > 0, kbps <= 1_000_000 else { throw .invalidInput("bitrate \(kbps) kbit/s") }
        guard kbps != bitrateKbps else { return }
        if open {
            config.pointee.rc_target_bitrate = UInt32(kbps)
            let result = vpx_codec_enc_config_set(context, config)
            guard result == VPX_CODEC_OK else {
                config.pointee.rc_target_bitrate = UInt32(bitrateKbps)
                throw .configuration(errorText(result))
            }
        }
        bitrateKbps = kbps
    }

    /// libvpx accepts a smaller size through vpx_codec_enc_config_set but not a larger one; a fresh
    /// context for every size change is simpler and starts with the key frame viewers need anyway.
    private func reopen(width: Int, height: Int) throws(VPXEncoderError) {
        guard width > 0, height > 0, width <= 16_383, height <= 16_383 else {
            throw .invalidInput("frame size \(width)x\(height)")
        }
        close()
        size = nil
        var result = vpx_codec_enc_config_default(codec == .vp8 ? vpx_codec_vp8_cx() : vpx_codec_vp9_cx(), config, 0)
        guard result == VPX_CODEC_OK else { throw .initialization(Self.text(result)) }
        let cfg = config
        cfg.pointee.g_w = UInt32(width)
        cfg.pointee.g_h = UInt32(height)
        cfg.pointee.g_timebase = vpx_rational(num: 1, den: Self.timebase)
        // VP8 worker threads spin-wait: no gain on 2 vCPU (capture.md §4.2); VP9 gains ~15 % from a
        // second thread, too little for taking a core from the rest of the runner.
        cfg.pointee.g_threads = 1
        cfg.pointee.g_lag_in_frames = 0
        cfg.pointee.g_pass = VPX_RC_ONE_PASS
        cfg.pointee.g_error_resilient = 0
        cfg.pointee.rc_end_usage = VPX_CBR
        cfg.pointee.rc_target_bitrate = UInt32(bitrateKbps)
        cfg.pointee.rc_min_quantizer = 12
        cfg.pointee.rc_max_quantizer = 56
        cfg.pointee.rc_undershoot_pct = 100
        cfg.pointee.rc_overshoot_pct = 15
        cfg.pointee.rc_buf_initial_sz = 500
        cfg.pointee.rc_buf_optimal_sz = 600
        cfg.pointee.rc_buf_sz = 1000
        cfg.pointee.rc_resize_allowed = 0
        cfg.pointee.rc_dropframe_thresh = 0
        cfg.pointee.kf_mode = VPX_KF_DISABLED  // key frames at the start and on request only
        let initialized = codec == .vp8 ? mshim_vpx_vp8_enc_init(context, config) : mshim_vpx_vp9_enc_init(context, config)
        result = vpx_codec_err_t(rawValue: UInt32(bitPattern: initialized))
        guard result == VPX_CODEC_OK else { throw .initialization(errorText(result)) }
        open = true
        // max(300, 600 × 0.5 × fps / 10) % of the per-frame budget for a key frame: 900 at 30 fps.
        let maxIntra = UInt32(max(300, 30 * framesPerSecond))
        let controls: [(String, Int32)]
        switch codec {
        case .vp8:
            controls = [
                ("VP8E_SET_CPUUSED", mshim_vp8e_set_cpuused(context, -6)),
                ("VP8E_SET_STATIC_THRESHOLD", mshim_vp8e_set_static_threshold(context, 100)),
                ("VP8E_SET_SCREEN_CONTENT_MODE", mshim_vp8e_set_screen_content_mode(context, 2)),
                ("VP8E_SET_MAX_INTRA_BITRATE_PCT", mshim_vp8e_set_max_intra_bitrate_pct(context, maxIntra)),
                ("VP8E_SET_TOKEN_PARTITIONS", mshim_vp8e_set_token_partitions(context, 0)),
                ("VP8E_SET_NOISE_SENSITIVITY", mshim_vp8e_set_noise_sensitivity(context, 0)),
            ]
        case .vp9:
            controls = [
                ("VP8E_SET_CPUUSED", mshim_vp8e_set_cpuused(context, width * height > 1280 * 720 ? 9 : 8)),
                ("VP9E_SET_ROW_MT", mshim_vp9e_set_row_mt(context, 1)),
                ("VP9E_SET_AQ_MODE", mshim_vp9e_set_aq_mode(context, 3)),
                ("VP9E_SET_TUNE_CONTENT", mshim_vp9e_set_tune_content_screen(context)),
                ("VP8E_SET_MAX_INTRA_BITRATE_PCT", mshim_vp8e_set_max_intra_bitrate_pct(context, maxIntra)),
                ("VP9E_SET_NOISE_SENSITIVITY", mshim_vp9e_set_noise_sensitivity(context, 0)),
            ]
        }
        for (name, code) in controls where code != 0 {
            let text = errorText(vpx_codec_err_t(rawValue: UInt32(bitPattern: code)))
            close()
            throw .control(name, text)
        }
        image.pointee = vpx_image_t()
        image.pointee.fmt = VPX_IMG_FMT_I420
        image.pointee.cs = VPX_CS_BT_601
        image.pointee.range = VPX_CR_STUDIO_RANGE
        image.pointee.bit_depth = 8
        image.pointee.bps = 12
        image.pointee.w = UInt32(width)
        image.pointee.h = UInt32(height)
        image.pointee.d_w = UInt32(width)
        image.pointee.d_h = UInt32(height)
        image.pointee.x_chroma_shift = 1
        image.pointee.y_chroma_shift = 1
        size = (width, height)
        contextsCreated += 1
    }

    private func close() {
        guard open else { return }
        vpx_codec_destroy(context)
        open = false
    }

    private func errorText(_ code: vpx_codec_err_t) -> String {
        var text = Self.text(code)
        // Safe on a closed or failed context: libvpx keeps the detail in the context itself then.
        if let detail = vpx_codec_error_detail(context) { text += ": " + String(cString: detail) }
        return text
    }

    private static func text(_ code: vpx_codec_err_t) -> String { String(cString: vpx_codec_err_to_string(code)) }
}
