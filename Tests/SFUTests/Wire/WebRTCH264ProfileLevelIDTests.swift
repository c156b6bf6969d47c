import Testing
@testable import SFU

@Suite("H.264 profile-level-id")
struct WebRTCH264ProfileLevelIDTests {
    @Test func parsesHexAndSPS() throws {
        let cb = try #require(WebRTCH264ProfileLevelID(hex: "42E01F"))
        #expect(cb == WebRTCH264ProfileLevelID(profileIDC: 0x42, constraints: 0xE0, levelIDC: 0x1F))
        #expect(cb.hex == "42e01f")
        #expect(WebRTCH264ProfileLevelID(hex: "42e01") == nil)
        #expect(WebRTCH264ProfileLevelID(hex: "42e0zz") == nil)
        // SPS NAL: header 0x67, then profile_idc, constraint flags, level_idc.
        #expect(WebRTCH264ProfileLevelID(sps: [0x67, 0x64, 0x00, 0x28, 0xAC]) == WebRTCH264ProfileLevelID(hex: "640028"))
        #expect(WebRTCH264ProfileLevelID(sps: [0x68, 0x64, 0x00, 0x28]) == nil)
    }

    @Test func profileEqualityIsExact() throws {
        let cb = try #require(WebRTCH264ProfileLevelID(hex: "42e01f"))
        #expect(cb.hasSameProfile(as: try #require(WebRTCH264ProfileLevelID(hex: "42e034"))))
        #expect(!cb.hasSameProfile(as: try #require(WebRTCH264ProfileLevelID(hex: "42c01f"))))
        #expect(!cb.hasSameProfile(as: try #require(WebRTCH264ProfileLevelID(hex: "42001f"))))
    }

    @Test func levelOneBSortsBetweenOneAndOnePointOne() throws {
        let level1 = try #require(WebRTCH264ProfileLevelID(hex: "42e00a"))
        let level1b = try #require(WebRTCH264ProfileLevelID(hex: "42f00b"))
        let level11 = try #require(WebRTCH264ProfileLevelID(hex: "42e00b"))
        let highLevel1b = try #require(WebRTCH264ProfileLevelID(hex: "640009"))
        #expect(level1.levelRank < level1b.levelRank && level1b.levelRank < level11.levelRank)
        #expect(highLevel1b.levelRank == level1b.levelRank)
        #expect(WebRTCH264ProfileLevelID.impliedDefault.hex == "42000a")
    }
}
