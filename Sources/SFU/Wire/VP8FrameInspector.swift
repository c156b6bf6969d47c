/// Key-frame information read from the first packet of a VP8 frame.
public struct VP8FrameInfo: Sendable, Equatable {
    /// True if the frame is a key frame (frame-tag P bit is 0).
    public var isKeyframe: Bool
    /// Width in pixels (key frames with a valid start code only).
    public var width: UInt16?
    /// Height in pixels (key frames with a valid start code only).
    public var height: UInt16?
    /// 2-bit horizontal scale (key frames with a valid start code only).
    public var horizontalScale: UInt8?
    /// 2-bit vertical scale (key frames with a valid start code only).
    public var verticalScale: UInt8?
}

/// Key-frame detection on VP8 RTP payloads (RFC 7741 §4.3, RFC 6386 §9.1).
public enum VP8FrameInspector {
    /// Inspects an RTP payload (descriptor + VP8 data). Returns nil unless this is
    /// the first packet of a frame (S = 1, PID = 0) with at least one VP8 byte.
    ///
    /// For key frames the 3-byte frame tag is followed by the start code
    /// 9d 01 2a and two little-endian 16-bit fields (14-bit size, 2-bit scale);
    /// these are reported when present and valid.
    public static func inspect(rtpPayload: UnsafeRawBufferPointer) -> VP8FrameInfo? {
        guard let descriptor = try? VP8PayloadDescriptor(parsing: rtpPayload),
              descriptor.isStartOfFrame, descriptor.length < rtpPayload.count
        else { return nil }
        let o = descriptor.length
        let isKey = rtpPayload[o] & 0x01 == 0
        var info = VP8FrameInfo(isKeyframe: isKey)
        guard isKey, rtpPayload.count - o >= 10,
              rtpPayload[o + 3] == 0x9D, rtpPayload[o + 4] == 0x01, rtpPayload[o + 5] == 0x2A
        else { return info }
        let w = UInt16(rtpPayload[o + 6]) | UInt16(rtpPayload[o + 7]) << 8
        let h = UInt16(rtpPayload[o + 8]) | UInt16(rtpPayload[o + 9]) << 8
        info.width = w & 0x3FFF
        info.horizontalScale = UInt8(w >> 14)
        info.height = h & 0x3FFF
        info.verticalScale = UInt8(h >> 14)
        return info
    }

    /// True if `rtpPayload` is the first packet of a VP8 key frame.
    public static func isKeyframe(rtpPayload: UnsafeRawBufferPointer) -> Bool {
        inspect(rtpPayload: rtpPayload)?.isKeyframe ?? false
    }
}

extension VP8FrameInfo {
    init(isKeyframe: Bool) {
        self.init(isKeyframe: isKeyframe, width: nil, height: nil, horizontalScale: nil, verticalScale: nil)
    }
}
