import Foundation
import Testing

@testable import Orchestrator

@Suite struct JSONTextTests {
    @Test func mapsRoundTripWithSortedKeys() throws {
        let map = ["tool": "Bash", "event_kind": "tool_use", "odd \"key\"": "a/b\\c\n\t\u{1}é😀"]
        let text = JSONText.encode(map)
        #expect(text.hasPrefix(#"{"event_kind":"tool_use","odd \"key\"":"#))
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == map)
        #expect(JSONText.decodeMap(text) == map)
        #expect(JSONText.encode([:]) == "{}")
    }
}
