import Testing

@testable import SFU

/// RFC 6184 packetization-mode 1 byte for byte, and the SPS/PPS cache that makes every IDR
/// decodable (streaming.md §3.4).
@Suite struct H264PacketizerTests {
    static let sps: [UInt8] = [0x67, 0x42, 0xE0, 0x1F, 0xDA, 0x02, 0xD0, 0x28]
    static let pps: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]

    func units(_ annexB: [UInt8]) -> [[UInt8]] {
        annexB.withUnsafeBytes { bytes in H264Packetizer.nalUnits(bytes).map { Array(bytes[$0]) } }
    }

    /// Writes every planned payload.
    func payloads(_ nals: [[UInt8]], max: Int) throws -> [[UInt8]] {
        try withPointers(nals) { pointers in
            try H264Packetizer.plan(nalSizes: nals.map(\.count), maxPayloadSize: max).map { packet in
                var out = [UInt8](repeating: 0xEE, count: max)
                let n = try out.withUnsafeMutableBytes { try H264Packetizer.write(packet, nals: pointers, into: $0) }
                #expect(n <= max)
                return Array(out[0..<n])
            }
        }
    }

    func withPointers<T>(_ nals: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) throws -> T) throws -> T {
        var pointers: [UnsafeRawBufferPointer] = []
        func go(_ index: Int) throws -> T {
            if index == nals.count { return try body(pointers) }
            return try nals[index].withUnsafeBytes { bytes in
                pointers.append(bytes)
                return try go(index + 1)
            }
        }
        return try go(0)
    }

    @Test func findsNALUnitsAfterThreeAndFourByteStartCodes() {
        let stream: [UInt8] = [0, 0, 0, 1] + Self.sps + [0, 0, 1] + Self.pps + [0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00]
        #expect(units(stream) == [Self.sps, Self.pps, [0x65, 0x88, 0x84]])
        #expect(units([0x65, 0x01]) == [[0x65, 0x01]])  // no start code: one unit
        #expect(units([]).isEmpty)
    }

    @Test func smallUnitsShareOneSTAPAWithTheLargestNRI() throws {
        let packets = try payloads([Self.sps, Self.pps], max: 1200)
        // STAP-A header: F 0, NRI 3 (from 0x67/0x68), type 24 → 0x78; then 16-bit sizes.
        #expect(packets == [[0x78, 0x00, 0x08] + Self.sps + [0x00, 0x04] + Self.pps])
    }

    @Test func aUnitThatFitsAloneIsASingleNALUnitPacket() throws {
        let slice: [UInt8] = [0x41] + Array(repeating: 0x9A, count: 1000)
        #expect(try payloads([slice], max: 1200) == [slice])
        // Too big to share with the SPS: the SPS goes alone too.
        #expect(try payloads([Self.sps, slice], max: 1005) == [Self.sps, slice])
    }

    @Test func largeUnitsAreCutIntoEvenFUAFragments() throws {
        let idr: [UInt8] = [0x65] + (0..<2500).map { UInt8(truncatingIfNeeded: $0) }
        let packets = try payloads([idr], max: 1200)
        #expect(packets.count == 3)  // 2500 body bytes in fragments of ≤ 1198
        #expect(packets.map(\.count) == [836, 835, 835])
        #expect(packets[0][0] == 0x7C && packets[0][1] == 0x85)  // NRI 3 | 28; S | type 5
        #expect(packets[1][0] == 0x7C && packets[1][1] == 0x05)
        #expect(packets[2][0] == 0x7C && packets[2][1] == 0x45)  // E | type 5
        #expect(packets.flatMap { $0.dropFirst(2) } == Array(idr.dropFirst()))
    }

    @Test func planMixesAllThreeInNALOrder() {
        let plan = H264Packetizer.plan(nalSizes: [8, 4, 3000, 10, 20], maxPayloadSize: 1200)
        #expect(plan.first == .stapA(first: 0, count: 2))
        #expect(plan.filter { if case .fuA = $0 { true } else { false } }.count == 3)
        #expect(plan.last == .stapA(first: 3, count: 2))
    }

    @Test func parameterSetsAreCachedAndInjectedBeforeBareIDRs() throws {
        var cache = H264ParameterSets()
        let idr: [UInt8] = [0x65, 0x88]
        let first = try withPointers([Self.sps, Self.pps, idr]) { cache.observe($0) }
        #expect(first.hasIDR && first.hasSPS && first.spsChanged && !cache.needsInjection(first))
        #expect(cache.sps == Self.sps && cache.pps == Self.pps)
        let bare = try withPointers([idr]) { cache.observe($0) }
        #expect(cache.needsInjection(bare))
        let delta = try withPointers([[0x41, 0x9A]]) { cache.observe($0) }
        #expect(!cache.needsInjection(delta))
        let same = try withPointers([Self.sps]) { cache.observe($0) }
        #expect(!same.spsChanged)
        #expect(!H264ParameterSets().needsInjection(bare))  // nothing cached yet: nothing to send
    }
}
