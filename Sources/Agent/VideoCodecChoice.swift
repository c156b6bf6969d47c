import Capture

/// The libvpx codec a testsrc or desktop stream asked for (`StreamConfig.video_codec`): empty means
/// VP8, the API's default. The API validates names, so a refusal here means a server newer than
/// this runner (or a hand-made command); the stream then fails with a reason instead of sending
/// frames its viewers negotiated another codec for.
enum VideoCodecChoice {
    static func vpx(_ name: String, type: String) throws(CaptureFailure) -> VPXCodec {
        if name.isEmpty { return .vp8 }
        guard let codec = VPXCodec(rawValue: name) else {
            throw CaptureFailure(
                code: "unsupported_codec", message: "\(type) streams encode vp8 or vp9 on this runner, not \"\(name.prefix(32))\"")
        }
        return codec
    }
}
