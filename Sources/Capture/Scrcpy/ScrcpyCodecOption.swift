/// One `key[:type]=value` entry of `video_codec_options` / `audio_codec_options` (scrcpy.md §3.3):
/// a MediaFormat key applied after scrcpy's own, e.g. `i-frame-interval=1` or `profile=65536`.
public struct ScrcpyCodecOption: Sendable, Hashable {
    /// The value and its MediaFormat type; `int` is the server's default and is written without a
    /// type suffix.
    public enum Value: Sendable, Hashable {
        case int(Int32)
        case long(Int64)
        case float(Float)
        case string(String)
    }

    public var key: String
    public var value: Value

    public init(key: String, value: Value) {
        self.key = key
        self.value = value
    }

    /// `key=value`, `key:long=value`, `key:float=value` or `key:string=value`. Throws for what the
    /// server would split wrongly: a key with `=`, `:` or `,`, a string with `,` (the separator;
    /// its `\` escape is itself forbidden on the command line), or a non-finite float.
    public func rendered() throws(ScrcpyProtocolError) -> String {
        guard !key.isEmpty, !key.contains(where: { $0 == "=" || $0 == ":" || $0 == "," }) else {
            throw .invalidServerArgument(
                key: "codec option", value: key, reason: "a codec option key must be non-empty without '=', ':' or ','")
        }
        switch value {
        case .int(let v):
            return "\(key)=\(v)"
        case .long(let v):
            return "\(key):long=\(v)"
        case .float(let v):
            guard v.isFinite else {
                throw .invalidServerArgument(key: key, value: "\(v)", reason: "a float codec option must be finite")
            }
            return "\(key):float=\(ScrcpyServerArguments.decimal(v))"
        case .string(let v):
            guard !v.contains(",") else {
                throw .invalidServerArgument(key: key, value: v, reason: "a string codec option may not contain ','")
            }
            return "\(key):string=\(v)"
        }
    }
}
