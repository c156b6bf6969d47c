/// Key-frame starts in H.264 RTP payloads (RFC 6184 §5): the packet that begins an IDR access
/// unit. Chrome sends SPS and PPS in a STAP-A ahead of the IDR slice, which arrives as FU-A
/// fragments; a single NAL unit or a STAP-A holding an SPS or an IDR slice, or the first FU-A
/// fragment of an IDR slice, starts a key frame. The SFU needs this for the late joiner's cached
/// key frame and to stop asking for one.
public enum H264FrameInspector {
    static let idrSlice: UInt8 = 5
    static let sequenceParameterSet: UInt8 = 7

    public static func isKeyframeStart(rtpPayload payload: UnsafeRawBufferPointer) -> Bool {
        guard let first = payload.first else { return false }
        switch first & 0x1F {
        case 1...23:
            let type = first & 0x1F
            return type == idrSlice || type == sequenceParameterSet
        case 24:  // STAP-A: [16-bit size][NAL unit]…
            var offset = 1
            while offset + 2 < payload.count {
                let size = Int(payload[offset]) << 8 | Int(payload[offset + 1])
                guard size > 0, offset + 2 + size <= payload.count else { return false }
                let type = payload[offset + 2] & 0x1F
                if type == idrSlice || type == sequenceParameterSet { return true }
                offset += 2 + size
            }
            return false
        case 28:  // FU-A: FU indicator, FU header (S bit, original NAL type)
            guard payload.count >= 2 else { return false }
            return payload[1] & 0x80 != 0 && payload[1] & 0x1F == idrSlice
        default:
            return false
        }
    }
}

/// Key-frame starts in VP9 RTP payloads (RFC 9628 §4.2): the descriptor's P bit clear (not
/// inter-picture predicted) and B set (the first packet of the frame).
public enum VP9FrameInspector {
    public static func isKeyframeStart(rtpPayload payload: UnsafeRawBufferPointer) -> Bool {
        guard let descriptor = payload.first else { return false }
        return descriptor & 0x40 == 0 && descriptor & 0x08 != 0
    }
}
