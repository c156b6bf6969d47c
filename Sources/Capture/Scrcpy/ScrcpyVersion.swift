/// The scrcpy protocol version. The server accepts only the exact version string it was built
/// with (scrcpy.md §1.1), so the protocol is a value parametrised by this, never negotiated.
///
/// What differs (scrcpy.md §10): the frame-header flag bits, the 3.3.4 one-off size header versus
/// 4.1 session packets, vp8/vp9, control types 18...22 and a few server options.
public enum ScrcpyVersion: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Pinned for real devices and emulators.
    case v3_3_4 = "3.3.4"
    /// Implemented and tested against the device simulator only.
    case v4_1 = "4.1"

    /// The string passed as the first server argument (compared case-sensitively by the server).
    public var versionName: String { rawValue }

    public var description: String { rawValue }

    /// The server's `versionCode`.
    public var versionCode: Int {
        switch self {
        case .v3_3_4: 30304
        case .v4_1: 40100
        }
    }

    /// SHA-256 (lowercase hex) of the official `scrcpy-server-v<version>` (scrcpy.md §1.2): verify
    /// the binary before pushing it.
    public var serverSHA256: String {
        switch self {
        case .v3_3_4: "8588238c9a5a00aa542906b6ec7e6d5541d9ffb9b5d0f6e1bc0e365e2303079e"
        case .v4_1: "deacb991ed2509715160ffdc7907e47b4160eb30d1566217e9047fd5b8850cae"
        }
    }

    // MARK: Streams

    /// C flag in the frame header's u64: bit 63 (3.3.4) or 62 (4.1).
    public var configFlag: UInt64 {
        switch self {
        case .v3_3_4: 1 << 63
        case .v4_1: 1 << 62
        }
    }

    /// K flag: bit 62 (3.3.4) or 61 (4.1).
    public var keyFrameFlag: UInt64 {
        switch self {
        case .v3_3_4: 1 << 62
        case .v4_1: 1 << 61
        }
    }

    /// The PTS bits below the flags: 62 bits (3.3.4) or 61 (4.1).
    public var ptsMask: UInt64 { keyFrameFlag - 1 }

    /// 4.1: bit 63 of the first header byte marks a 12-byte session packet on the video stream.
    public var hasSessionPackets: Bool { self == .v4_1 }

    /// 3.3.4: the video codec id is followed once by `width u32, height u32`.
    public var hasVideoSizeHeader: Bool { self == .v3_3_4 }

    // MARK: Control

    /// The highest control message type the server understands; anything above ends the server.
    public var highestControlMessageType: UInt8 {
        switch self {
        case .v3_3_4: 17
        case .v4_1: 22
        }
    }

    /// Whether the server of this version accepts control messages of `type`.
    public func supports(_ type: ScrcpyControlMessageType) -> Bool {
        type.rawValue <= highestControlMessageType
    }

    /// The option that turns the codec id and size/session framing off (never sent by Marionette).
    public var streamMetaOption: String {
        switch self {
        case .v3_3_4: "send_codec_meta"
        case .v4_1: "send_stream_meta"
        }
    }
}
