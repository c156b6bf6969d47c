/// What `ScrcpyDeviceMessageParser` reads off the control socket.
public enum ScrcpyDeviceMessageEvent: Sendable, Equatable {
    /// The 64-byte device meta, when the control socket is the first socket (video and audio off).
    case deviceMeta(ScrcpyDeviceMeta)
    case message(ScrcpyDeviceMessage)
}
