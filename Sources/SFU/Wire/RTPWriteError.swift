/// Errors thrown by the RTP/RTCP/VP8/RTX writers.
public enum RTPWriteError: Error, Sendable, Equatable {
    /// The destination buffer cannot hold the bytes to be written.
    case bufferTooSmall(needed: Int)
    /// A field value cannot be encoded (out-of-range id, too many items, ...).
    case invalidValue
}
