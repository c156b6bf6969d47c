import Foundation
import NIOCore
import Orchestrator
import Testing

@testable import Gateway

/// The one-pass encoder of API responses must give the same JSON values as Foundation's
/// `JSONEncoder` (the encoder it replaced), for the API's own records and for the container
/// shapes hand-written `encode(to:)` methods use.
@Suite struct StreamingJSONEncoderTests {
    struct Inner: Encodable, Equatable {
        var name: String
        var tags: [String]
        var score: Double?
    }

    struct Outer: Encodable {
        var id: String
        var count: Int64
        var flag: Bool
        var inner: Inner
        var items: [Inner]
        var map: [String: String]
        var empty: [Inner]
        var emptyMap: [String: Int]
        var missing: String?
        var nested: [[Int]]
    }

    /// Two keyed containers on one encoder with different key types (StreamResource does this),
    /// explicit nulls, nested containers and a value that encodes nothing.
    struct HandWritten: Encodable {
        enum A: String, CodingKey { case a, nothing, list, object }
        enum B: String, CodingKey { case b, null }
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }

        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: A.self)
            try first.encode("x", forKey: .a)
            try first.encode(Nothing(), forKey: .nothing)
            var list = first.nestedUnkeyedContainer(forKey: .list)
            try list.encode(1)
            try list.encodeNil()
            var inList = list.nestedContainer(keyedBy: B.self)
            try inList.encode(true, forKey: .b)
            var object = first.nestedContainer(keyedBy: B.self, forKey: .object)
            try object.encode(2.5, forKey: .b)
            var second = encoder.container(keyedBy: B.self)
            try second.encode(-7, forKey: .b)
            try second.encodeNil(forKey: .null)
        }
    }

    func expectSameJSON<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try StreamingJSONEncoder().encode(value)
        let oursData = Data(ours.readableBytesView)
        let theirs = try JSONIO.encoder().encode(value)
        // Parsed and written again with sorted keys: the same JSON value gives the same bytes.
        func normalized(_ data: Data) throws -> String {
            let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }
        #expect(try normalized(oursData) == normalized(theirs), "ours: \(String(decoding: oursData, as: UTF8.self))\ntheirs: \(String(decoding: theirs, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    @Test func matchesJSONEncoderOnStructsArraysMapsAndOptionals() throws {
        let inner = Inner(name: "é \"quoted\" back\\slash a/b \n\t\u{1} 😀", tags: ["", "t"], score: 0.1)
        try expectSameJSON(
            Outer(
                id: "sess_1", count: .max, flag: false, inner: inner, items: [inner, Inner(name: "b", tags: [], score: nil)],
                map: ["k": "v", "k2": "w"], empty: [], emptyMap: [:], missing: nil, nested: [[], [1, -2]]))
        try expectSameJSON(HandWritten())
        try expectSameJSON([inner])
        try expectSameJSON("top level")
        try expectSameJSON(Int64.min)
        try expectSameJSON([String: [Int]]())
    }

    @Test func writesTheBytesJSONEncoderWritesForOrderedValues() throws {
        let inner = Inner(name: "a/b \"q\"", tags: ["x"], score: 2)
        let ours = try StreamingJSONEncoder().encode(inner)
        #expect(String(buffer: ours) == #"{"name":"a\/b \"q\"","tags":["x"],"score":2.0}"#.replacingOccurrences(of: "\\/", with: "/"))
        let hand = try StreamingJSONEncoder().encode(HandWritten())
        #expect(String(buffer: hand) == #"{"a":"x","nothing":{},"list":[1,null,{"b":true}],"object":{"b":2.5},"b":-7,"null":null}"#)
    }

    @Test func nonFiniteNumbersAreAnError() {
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(Inner(name: "", tags: [], score: .nan)) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode([Double.infinity]) }
    }

    @Test func matchesJSONEncoderOnTheAPIRecords() async throws {
        let h = try await GatewayHarness.make()
        defer { Task { await h.close() } }
        var request = CreateSessionRequest(agent: "command", name: "json \"check\"")
        request.labels = ["team": "a/b"]
        let session = try await h.services.sessions.create(request, scope: .single)
        let task = try await h.services.tasks.create(
            CreateTaskRequest(sessionID: session.id, prompt: "echo \"hi\"\nexit 3"), scope: .single)
        let stream = try await h.services.streams.create(
            CreateStreamRequest(type: "testsrc"), sessionID: session.id, createdBy: nil, scope: .single)
        try expectSameJSON(session)
        try expectSameJSON(task)
        try expectSameJSON(stream)
        try expectSameJSON(try await h.services.store.sessions(SessionFilter(), page: PageRequest(limit: 50), scope: .single))
    }
}
