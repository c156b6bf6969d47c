/// What `ScrcpyStreamParser` reads off a video or audio socket, in socket order.
public enum ScrcpyStreamEvent: Sendable, Equatable {
    /// The 64-byte device meta (first socket only, when the parser was told to expect it).
    case deviceMeta(ScrcpyDeviceMeta)
    /// The stream's codec. Not reported for 0 (see `disabled`) or 1 (an error).
    case codec(ScrcpyCodecID)
    /// Codec id 0: the device disabled this stream; nothing else will come on this socket, and the
    /// other streams continue.
    case disabled
    /// 3.3.4 video: the size sent once after the codec id (later size changes show only in the SPS).
    case videoSize(ScrcpyVideoSize)
    /// 4.1 video: a new encoder session, with its size; config and a key frame follow.
    case session(ScrcpySessionPacket)
    /// Codec configuration (SPS/PPS, OpusHead, ...), no PTS.
    case config([UInt8])
    /// A frame or audio packet.
    case media(ScrcpyMediaPacket)
}
