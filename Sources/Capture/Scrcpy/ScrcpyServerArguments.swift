/// The scrcpy server's command line (scrcpy.md §3.2, §3.3):
/// `CLASSPATH=/data/local/tmp/scrcpy-server.jar app_process / com.genymobile.scrcpy.Server VERSION
/// scid=XXXXXXXX log_level=info [key=value ...]`, run through `adb -s SERIAL shell`.
///
/// adb joins the arguments with spaces and the device shell parses the line again, so values must
/// not contain shell-special characters: like the reference client, every value with one of
/// `` ;'"*$?&`#\|<>[]{}()!~`` or CR/LF is refused, and so (beyond upstream) is any other control
/// character such as TAB, which the device shell would also split on.
///
/// Typed options left nil are not sent (the server default applies); the reference client's order
/// is kept. Options the parsers depend on (`send_*`, `raw_stream`) cannot be set.
public struct ScrcpyServerArguments: Sendable, Equatable {
    /// Where the server is pushed on the device (fixed by upstream).
    public static let deviceServerPath = "/data/local/tmp/scrcpy-server.jar"
    public static let serverClass = "com.genymobile.scrcpy.Server"
    /// Local ports tried for the tunnel, in order (upstream's default range).
    public static let localPortRange: ClosedRange<Int> = 27183...27199

    public var version: ScrcpyVersion
    /// Session id: 31 bits, rendered as 8 lowercase hex digits (the server parses it as hex).
    public var scid: UInt32
    public var logLevel: ScrcpyLogLevel = .info
    /// `false` removes the video socket.
    public var video: Bool?
    /// bit/s.
    public var videoBitRate: Int?
    /// `false` removes the audio socket.
    public var audio: Bool?
    /// bit/s.
    public var audioBitRate: Int?
    public var videoCodec: ScrcpyCodecID?
    public var audioCodec: ScrcpyCodecID?
    /// Caps the larger dimension in pixels; 0 = unlimited (3.3.4 rounds it down to a multiple of 8).
    public var maxSize: Int?
    public var maxFPS: Double?
    /// The server listens and sends the dummy byte (`adb forward` mode).
    public var tunnelForward: Bool?
    /// `false` removes the control socket.
    public var control: Bool?
    public var videoCodecOptions: [ScrcpyCodecOption]?
    public var audioCodecOptions: [ScrcpyCodecOption]?
    /// Any other server option by key (sent after the typed ones, sorted by key). Keys must exist
    /// in `version` (an unknown key would only be logged and ignored by the server).
    public var additionalOptions: [String: String] = [:]

    public init(version: ScrcpyVersion, scid: UInt32) {
        self.version = version
        self.scid = scid
    }

    /// A random 31-bit scid (random u32 masked with 0x7FFFFFFF, as the reference client).
    public static func randomSCID<G: RandomNumberGenerator>(using generator: inout G) -> UInt32 {
        UInt32.random(in: 0...UInt32.max, using: &generator) & 0x7FFF_FFFF
    }

    public static func randomSCID() -> UInt32 {
        var g = SystemRandomNumberGenerator()
        return randomSCID(using: &g)
    }

    /// The scid as the server and the socket name spell it: `%08x`.
    public var scidHex: String { ScrcpyProtocolError.hex(scid) }

    /// The device's abstract socket name: `scrcpy_` + the 8 hex digits.
    public var socketName: String { "scrcpy_" + scidHex }

    /// The arguments after `adb -s SERIAL shell`.
    public func shellCommand() throws(ScrcpyProtocolError) -> [String] {
        ["CLASSPATH=" + Self.deviceServerPath, "app_process", "/", Self.serverClass] + (try serverArguments())
    }

    /// The server's own arguments: the version, then `key=value` pairs.
    public func serverArguments() throws(ScrcpyProtocolError) -> [String] {
        guard scid <= 0x7FFF_FFFF else {
            throw .invalidServerArgument(
                key: "scid", value: scidHex, reason: "must be a 31-bit value (the server parses it as a signed int)")
        }
        var args = [version.versionName, "scid=" + scidHex, "log_level=" + logLevel.rawValue]
        func add(_ key: String, _ value: String) throws(ScrcpyProtocolError) {
            try Self.validate(key: key, value: value)
            args.append(key + "=" + value)
        }
        if let video { try add("video", String(video)) }
        if let videoBitRate { try add("video_bit_rate", try Self.int(videoBitRate, key: "video_bit_rate", minimum: 1)) }
        if let audio { try add("audio", String(audio)) }
        if let audioBitRate { try add("audio_bit_rate", try Self.int(audioBitRate, key: "audio_bit_rate", minimum: 1)) }
        if let videoCodec { try add("video_codec", try codecName(videoCodec, .video, key: "video_codec")) }
        if let audioCodec { try add("audio_codec", try codecName(audioCodec, .audio, key: "audio_codec")) }
        if let maxSize { try add("max_size", try Self.int(maxSize, key: "max_size", minimum: 0)) }
        if let maxFPS {
            guard maxFPS.isFinite, maxFPS >= 0 else {
                throw .invalidServerArgument(key: "max_fps", value: "\(maxFPS)", reason: "must be a finite number ≥ 0")
            }
            try add("max_fps", Self.decimal(maxFPS))
        }
        if let tunnelForward { try add("tunnel_forward", String(tunnelForward)) }
        if let control { try add("control", String(control)) }
        if let videoCodecOptions {
            try add("video_codec_options", try Self.codecOptions(videoCodecOptions, key: "video_codec_options"))
        }
        if let audioCodecOptions {
            try add("audio_codec_options", try Self.codecOptions(audioCodecOptions, key: "audio_codec_options"))
        }
        for key in additionalOptions.keys.sorted() {
            let value = additionalOptions[key]!
            try checkAdditional(key: key, value: value)
            try add(key, value)
        }
        return args
    }

    /// Refuses a value the device shell would split or interpret, or an argument the server could
    /// not split at its first `=`.
    static func validate(key: String, value: String) throws(ScrcpyProtocolError) {
        if let bad = value.unicodeScalars.first(where: { isShellSpecial($0) }) {
            throw .invalidServerArgument(
                key: key, value: value,
                reason: "contains the shell-special character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
    }

    static func isShellSpecial(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x20 || c.value == 0x7F { return true }  // CR, LF, TAB and the other controls
        return " ;'\"*$?&`#\\|<>[]{}()!~".unicodeScalars.contains(c)
    }

    private func codecName(_ codec: ScrcpyCodecID, _ stream: ScrcpyStreamKind, key: String) throws(ScrcpyProtocolError) -> String {
        guard codec.isCodec(of: stream, in: version), let name = codec.name else {
            throw .invalidServerArgument(key: key, value: codec.description, reason: "not a \(stream) codec of scrcpy \(version)")
        }
        return name
    }

    private static func int(_ v: Int, key: String, minimum: Int) throws(ScrcpyProtocolError) -> String {
        // The server parses with Integer.parseInt: 32-bit signed.
        guard v >= minimum, v <= Int(Int32.max) else {
            throw .invalidServerArgument(key: key, value: String(v), reason: "must be in \(minimum)...\(Int32.max)")
        }
        return String(v)
    }

    private static func codecOptions(_ options: [ScrcpyCodecOption], key: String) throws(ScrcpyProtocolError) -> String {
        guard !options.isEmpty else {
            throw .invalidServerArgument(key: key, value: "", reason: "needs at least one option")
        }
        var parts: [String] = []
        for option in options { parts.append(try option.rendered()) }
        return parts.joined(separator: ",")
    }

    /// A number as Java's `Float.parseFloat` reads it, without a spurious ".0" for whole numbers.
    static func decimal<F: BinaryFloatingPoint & CustomStringConvertible>(_ v: F) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    private func checkAdditional(key: String, value: String) throws(ScrcpyProtocolError) {
        if Self.typedKeys.contains(key) {
            throw .invalidServerArgument(key: key, value: value, reason: "set it through its typed property")
        }
        if Self.framingKeys.contains(key) || key == version.streamMetaOption {
            throw .invalidServerArgument(key: key, value: value, reason: "would remove framing the stream parsers need")
        }
        guard Self.commonKeys.contains(key) || (version == .v4_1 && Self.keysSince4.contains(key)) else {
            throw .invalidServerArgument(key: key, value: value, reason: "not an option of scrcpy \(version)")
        }
    }

    static let typedKeys: Set<String> = [
        "scid", "log_level", "video", "video_bit_rate", "audio", "audio_bit_rate", "video_codec", "audio_codec",
        "max_size", "max_fps", "tunnel_forward", "control", "video_codec_options", "audio_codec_options",
    ]
    static let framingKeys: Set<String> = [
        "send_device_meta", "send_frame_meta", "send_dummy_byte", "send_codec_meta", "send_stream_meta", "raw_stream",
    ]
    /// Options of both versions not covered by a typed property (scrcpy.md §3.3).
    static let commonKeys: Set<String> = [
        "video_source", "audio_source", "audio_dup", "angle", "crop", "display_id", "show_touches", "stay_awake",
        "screen_off_timeout", "power_off_on_close", "clipboard_autosync", "downsize_on_error", "cleanup", "power_on",
        "video_encoder", "audio_encoder", "list_encoders", "list_displays", "list_cameras", "list_camera_sizes",
        "list_apps", "camera_id", "camera_size", "camera_facing", "camera_ar", "camera_fps", "camera_high_speed",
        "new_display", "vd_destroy_content", "vd_system_decorations", "capture_orientation", "display_ime_policy",
    ]
    /// Options 3.3.4 lacks (it would only warn and ignore them).
    static let keysSince4: Set<String> = [
        "min_size_alignment", "camera_zoom", "camera_torch", "flex_display", "keep_active",
        "ignore_video_encoder_constraints",
    ]
}
