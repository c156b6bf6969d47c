import Client
import Testing

@Suite struct StreamsClientTests {
    @Test func createBodySendsOnlySetFieldsUnderTheSpecNames() {
        let minimal = CreateStreamRequest().json
        #expect(minimal.objectValue?.isEmpty == true)

        var full = CreateStreamRequest(type: "android")
        full.width = 1080
        full.height = 1920
        full.maxSize = 1600
        full.fps = 60
        full.bitrateKbps = 8000
        full.videoCodec = "h264"
        full.audio = true
        full.input = false
        full.serial = "emulator-5554"
        full.ttlSeconds = 900
        full.labels = [("team", "qa")]
        let json = full.json
        #expect(json["type"]?.stringValue == "android")
        #expect(json["max_size"]?.intValue == 1600)
        #expect(json["bitrate_kbps"]?.intValue == 8000)
        #expect(json["video_codec"]?.stringValue == "h264")
        #expect(json["audio"]?.boolValue == true)
        #expect(json["input"]?.boolValue == false)
        #expect(json["serial"]?.stringValue == "emulator-5554")
        #expect(json["ttl_seconds"]?.intValue == 900)
        #expect(json["labels"]?["team"]?.stringValue == "qa")
        #expect(json["display"] == nil)
        #expect(json["xvfb"] == nil)
    }

    @Test func listFilterRepeatsKeys() {
        var filter = StreamListFilter()
        #expect(filter.queryItems.isEmpty)
        filter.states = ["active", "paused"]
        filter.types = ["desktop"]
        filter.includeStopped = true
        #expect(filter.queryItems == [
            QueryItem("state", "active"), QueryItem("state", "paused"), QueryItem("type", "desktop"),
            QueryItem("include_stopped", "true"),
        ])
    }

    @Test func viewerURLCarriesTheTokenInTheFragment() {
        #expect(StreamLinks.viewerURL(server: "http://127.0.0.1:8080/", streamID: "strm_BxYzAbCd12345678", token: "stok_abc")
            == "http://127.0.0.1:8080/streams/strm_BxYzAbCd12345678/view#token=stok_abc")
        #expect(StreamLinks.viewerURL(server: "https://m.example", streamID: "a/b", token: "t").hasPrefix("https://m.example/streams/a%2Fb/view#"))
        #expect(StreamLinks.roles == ["view", "control", "publish"])
    }
}
