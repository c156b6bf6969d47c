import Testing

@testable import Capture

/// The server command line (scrcpy.md §3.2-§3.4).
@Suite struct ScrcpyServerArgumentsTests {
    static let prefix = ["CLASSPATH=/data/local/tmp/scrcpy-server.jar", "app_process", "/", "com.genymobile.scrcpy.Server"]

    @Test func exampleCommandLines() throws {
        var pinned = ScrcpyServerArguments(version: .v3_3_4, scid: 0x1a2b_3c4d)
        pinned.videoBitRate = 8_000_000
        pinned.maxSize = 1920
        pinned.maxFPS = 60
        #expect(try pinned.shellCommand().joined(separator: " ")
            == "CLASSPATH=/data/local/tmp/scrcpy-server.jar app_process / com.genymobile.scrcpy.Server 3.3.4 scid=1a2b3c4d log_level=info video_bit_rate=8000000 max_size=1920 max_fps=60")

        var forward = ScrcpyServerArguments(version: .v4_1, scid: 0x1a2b_3c4d)
        forward.audio = false
        forward.maxSize = 1920
        forward.tunnelForward = true
        #expect(try forward.shellCommand() == Self.prefix + ["4.1", "scid=1a2b3c4d", "log_level=info", "audio=false", "max_size=1920", "tunnel_forward=true"])
    }

    @Test func marionettesExplicitOptions() throws {
        var a = ScrcpyServerArguments(version: .v3_3_4, scid: 0x1a)
        a.videoBitRate = 4_000_000
        a.maxSize = 1280
        a.maxFPS = 59.94
        a.videoCodec = .h264
        a.audio = true
        a.control = true
        a.tunnelForward = false
        a.videoCodecOptions = [ScrcpyCodecOption(key: "profile", value: .int(65536)), ScrcpyCodecOption(key: "i-frame-interval", value: .int(1))]
        #expect(try a.serverArguments() == [
            "3.3.4", "scid=0000001a", "log_level=info", "video_bit_rate=4000000", "audio=true", "video_codec=h264",
            "max_size=1280", "max_fps=59.94", "tunnel_forward=false", "control=true",
            "video_codec_options=profile=65536,i-frame-interval=1",
        ])
        #expect(a.socketName == "scrcpy_0000001a" && a.scidHex == "0000001a")
    }

    @Test func scid() throws {
        var rng = ScrcpyTestRandom(seed: 0x5C2C_0004)
        for _ in 0..<1000 {
            let scid = ScrcpyServerArguments.randomSCID(using: &rng)
            #expect(scid <= 0x7FFF_FFFF)
            let hex = ScrcpyServerArguments(version: .v4_1, scid: scid).scidHex
            #expect(hex.count == 8 && hex.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(UInt32(hex, radix: 16) == scid)
        }
        #expect(ScrcpyServerArguments(version: .v4_1, scid: 0x7FFF_FFFF).socketName == "scrcpy_7fffffff")
        #expect(scrcpyError { try ScrcpyServerArguments(version: .v4_1, scid: 0x8000_0000).serverArguments() }
            == .invalidServerArgument(key: "scid", value: "80000000", reason: "must be a 31-bit value (the server parses it as a signed int)"))
        #expect(ScrcpyServerArguments.localPortRange == 27183...27199)
    }

    @Test(arguments: Array(" ;'\"*$?&`#\\|<>[]{}()!~\r\n\t\u{0}\u{7f}".unicodeScalars))
    func shellSpecialCharactersAreRejected(_ c: Unicode.Scalar) {
        var a = ScrcpyServerArguments(version: .v3_3_4, scid: 1)
        a.additionalOptions = ["crop": "100:100\(c)0:0"]
        guard case .invalidServerArgument(let key, _, let reason) = scrcpyError({ try a.serverArguments() }) else {
            Issue.record("U+\(String(c.value, radix: 16)) accepted")
            return
        }
        #expect(key == "crop" && reason.contains("shell-special"))

        var b = ScrcpyServerArguments(version: .v4_1, scid: 1)
        b.videoCodecOptions = [ScrcpyCodecOption(key: "vendor.x", value: .string("a\(c)b"))]
        #expect(scrcpyError { try b.serverArguments() } != nil)
    }

    @Test func valuesAreChecked() throws {
        func error(_ edit: (inout ScrcpyServerArguments) -> Void, _ version: ScrcpyVersion = .v3_3_4) -> ScrcpyProtocolError? {
            var a = ScrcpyServerArguments(version: version, scid: 1)
            edit(&a)
            return scrcpyError { try a.serverArguments() }
        }
        #expect(error { $0.videoBitRate = 0 } != nil)
        #expect(error { $0.videoBitRate = Int(Int32.max) + 1 } != nil)
        #expect(error { $0.maxSize = -1 } != nil)
        #expect(error { $0.maxSize = 0 } == nil)
        #expect(error { $0.maxFPS = -1 } != nil)
        #expect(error { $0.maxFPS = .nan } != nil)
        #expect(error { $0.videoCodec = .vp8 } != nil)
        #expect(error({ $0.videoCodec = .vp8 }, .v4_1) == nil)
        #expect(error { $0.videoCodec = .opus } != nil)
        #expect(error { $0.audioCodec = .h264 } != nil)
        #expect(error { $0.videoCodecOptions = [] } != nil)
        #expect(error { $0.videoCodecOptions = [ScrcpyCodecOption(key: "a=b", value: .int(1))] } != nil)
        #expect(error { $0.videoCodecOptions = [ScrcpyCodecOption(key: "x", value: .string("a,b"))] } != nil)
        // Options 3.3.4 lacks, framing options, typed options and unknown keys.
        #expect(error { $0.additionalOptions = ["flex_display": "true"] } != nil)
        #expect(error({ $0.additionalOptions = ["flex_display": "true"] }, .v4_1) == nil)
        #expect(error({ $0.additionalOptions = ["send_stream_meta": "false"] }, .v4_1) != nil)
        #expect(error { $0.additionalOptions = ["raw_stream": "true"] } != nil)
        #expect(error { $0.additionalOptions = ["send_codec_meta": "false"] } != nil)
        #expect(error { $0.additionalOptions = ["max_size": "1"] } != nil)
        #expect(error { $0.additionalOptions = ["bit_rate": "1"] } != nil)

        var a = ScrcpyServerArguments(version: .v3_3_4, scid: 1)
        a.logLevel = .warn
        a.video = false
        a.audioBitRate = 128_000
        a.audioCodec = .opus
        a.maxFPS = 30.5
        a.audioCodecOptions = [ScrcpyCodecOption(key: "bitrate-mode", value: .long(2)), ScrcpyCodecOption(key: "q", value: .float(0.1))]
        a.additionalOptions = ["stay_awake": "true", "clipboard_autosync": "false", "display_id": "0"]
        #expect(try a.serverArguments() == [
            "3.3.4", "scid=00000001", "log_level=warn", "video=false", "audio_bit_rate=128000", "audio_codec=opus", "max_fps=30.5",
            "audio_codec_options=bitrate-mode:long=2,q:float=0.1", "clipboard_autosync=false", "display_id=0", "stay_awake=true",
        ])
        #expect(try ScrcpyCodecOption(key: "k", value: .string("v=w")).rendered() == "k:string=v=w")
    }
}
