import Capture
import Testing

@testable import Agent

@Suite struct VideoCodecChoiceTests {
    @Test func emptyMeansVP8AndNamesMapToTheEncoder() throws {
        #expect(try VideoCodecChoice.vpx("", type: "desktop") == .vp8)
        #expect(try VideoCodecChoice.vpx("vp8", type: "desktop") == .vp8)
        #expect(try VideoCodecChoice.vpx("vp9", type: "testsrc") == .vp9)
    }

    @Test func anotherCodecFailsTheStreamWithItsReason() {
        #expect(throws: CaptureFailure(code: "unsupported_codec", message: "desktop streams encode vp8 or vp9 on this runner, not \"h264\"")) {
            try VideoCodecChoice.vpx("h264", type: "desktop")
        }
    }
}
