import Client
import Testing

@Suite struct JSONValueTests {
    @Test func parserKeepsKeyOrderAndNumberText() throws {
        let text = #"{"zeta":1,"alpha":{"b":2.50,"a":[1e3,-0,true,null]},"mid":"x"}"#
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value["alpha"]?.objectValue?.keys == ["b", "a"])
        #expect(value["alpha"]?["b"] == .number("2.50"))
        #expect(JSONWriter.compact(value) == text)
    }

    @Test func prettyPrintsWithTwoSpaces() throws {
        let value = try JSONParser.parse(#"{"id":"sess_1","labels":{},"hosts":[],"nested":{"a":[1,"two"]}}"#)
        #expect(
            JSONWriter.pretty(value) == """
                {
                  "id": "sess_1",
                  "labels": {},
                  "hosts": [],
                  "nested": {
                    "a": [
                      1,
                      "two"
                    ]
                  }
                }
                """
        )
    }

    @Test func stringEscapesRoundTrip() throws {
        let original = "quote \" backslash \\ newline \n tab \t ctrl \u{01} unicode é 😀 slash /"
        let encoded = JSONWriter.compact(.string(original))
        #expect(encoded.contains("\\u0001"))
        #expect(encoded.contains("/"))
        #expect(try JSONParser.parse(encoded) == .string(original))
        #expect(try JSONParser.parse(#""\ud83d\ude00 \u00e9""#) == .string("😀 é"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"unterminated", "{} x", "[1 2]", "\"\u{01}\""])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func accessors() throws {
        let value = try JSONParser.parse(#"{"n":42,"big":9007199254740993,"f":1.5,"s":"x","b":false,"a":[1],"z":null}"#)
        #expect(value["n"]?.intValue == 42)
        #expect(value["big"]?.int64Value == 9_007_199_254_740_993)
        #expect(value["f"]?.doubleValue == 1.5)
        #expect(value["f"]?.intValue == nil)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["z"]?.isNull == true)
        #expect(value["missing"] == nil)
    }

    @Test func objectBuilderOmitsNil() {
        let name: String? = nil
        let value = JSONValue.object(["agent": .string("claude"), "name": name.map(JSONValue.string), "n": .int(3)])
        #expect(JSONWriter.compact(value) == #"{"agent":"claude","n":3}"#)
    }

    @Test func objectMutationKeepsOrder() {
        var object = JSONObject()
        object["b"] = 1
        object["a"] = 2
        object["b"] = 3
        #expect(object.keys == ["b", "a"])
        object["b"] = nil
        #expect(object.keys == ["a"])
    }

    @Test func yamlOutputKeepsOrderAndTypes() throws {
        let value = try JSONParser.parse(
            #"{"id":"sess_1","count":3,"ratio":0.5,"ok":true,"none":null,"numeric_string":"123","bool_string":"true","empty":"","time":"2025-03-01T10:00:00.000Z","labels":{},"hosts":["a.com","b.com"],"multi":"line one\nline two"}"#
        )
        let yaml = try YAMLWriter.yaml(value)
        #expect(
            yaml == """
                id: sess_1
                count: 3
                ratio: 0.5
                ok: true
                none: null
                numeric_string: '123'
                bool_string: 'true'
                empty: ''
                time: '2025-03-01T10:00:00.000Z'
                labels: {}
                hosts:
                - a.com
                - b.com
                multi: |-
                  line one
                  line two

                """
        )
    }

    @Test func yamlOfListEnvelope() throws {
        let value = try JSONParser.parse(#"{"items":[{"id":"a","scopes":["*"]}],"total_count":1,"has_more":false}"#)
        #expect(
            try YAMLWriter.yaml(value) == """
                items:
                - id: a
                  scopes:
                  - '*'
                total_count: 1
                has_more: false

                """
        )
    }

    @Test func apiErrorFromBody() {
        let error = APIError.from(status: 404, reason: "Not Found", body: Array(#"{"code":"not_found","message":"session not found","request_id":"r1"}"#.utf8))
        #expect(error.code == "not_found")
        #expect(error.description == "session not found (not_found)")
        #expect(error.requestID == "r1")
        #expect(error.isNotFound)
        let plain = APIError.from(status: 502, reason: "Bad Gateway", body: Array("<html>oops</html>".utf8))
        #expect(plain.description == "Bad Gateway (http_502)")
    }

    @Test func requestBodiesOnlyCarrySetFields() {
        var create = CreateSessionRequest(agent: "claude")
        create.name = "demo"
        create.labels = [("env", "dev")]
        #expect(JSONWriter.compact(create.json) == #"{"name":"demo","agent":"claude","labels":{"env":"dev"}}"#)

        var update = UpdateSessionRequest()
        #expect(update.isEmpty)
        update.idleTimeoutSeconds = 600
        #expect(JSONWriter.compact(update.json) == #"{"idle_timeout_seconds":600}"#)

        var task = CreateTaskRequest(sessionID: "sess_1", prompt: "hi")
        task.timeoutSeconds = 3600
        task.maxRetries = 0
        #expect(JSONWriter.compact(task.json) == #"{"session_id":"sess_1","prompt":"hi","timeout_seconds":3600,"max_retries":0}"#)
    }

    @Test func normalizesBaseURL() throws {
        #expect(try MarionetteClient.normalize(baseURL: "localhost:8080/") == "http://localhost:8080")
        #expect(try MarionetteClient.normalize(baseURL: "https://x.example//") == "https://x.example")
        #expect(throws: ClientError.self) { try MarionetteClient.normalize(baseURL: "ftp://x") }
        #expect(throws: ClientError.self) { try MarionetteClient.normalize(baseURL: "") }
    }
}
