/// Fuzzing entry point for the RTP-side parsers: header, extensions, rewrite,
/// VP8 descriptor / key-frame inspection and RTX. Must never trap.
public enum RTPFuzzEntry {
    /// Runs every RTP-side parser reachable from `data`.
    public static func run(_ data: UnsafeRawBufferPointer) {
        // The VP8 and RTX parsers also see the raw input directly.
        _ = try? VP8PayloadDescriptor(parsing: data)
        _ = VP8FrameInspector.inspect(rtpPayload: data)
        _ = try? RTXPayload(parsing: data)

        guard let header = try? RTPHeader(parsing: data) else { return }
        var sink = 0
        var it = header.extensions(in: data)
        while let element = it.next() {
            sink &+= element.valueRange.count &+ Int(element.id)
            if element.valueRange.count == 3 { sink &+= Int(RTPAbsSendTime.read(data, valueRange: element.valueRange) ?? 0) }
        }
        for id: UInt8 in [1, 2, 3, 14, 15, 200] {
            if let range = header.extensionValue(id: id, in: data) { sink &+= range.count }
        }
        for i in 0..<Int(header.csrcCount) { sink &+= Int(header.csrc(at: i, in: data) ?? 0) }

        let payload = UnsafeRawBufferPointer(rebasing: data[header.payloadRange])
        if let descriptor = try? VP8PayloadDescriptor(parsing: payload) { sink &+= descriptor.length }
        _ = VP8FrameInspector.isKeyframe(rtpPayload: payload)
        if let rtx = try? RTXPayload(parsing: payload) { sink &+= Int(rtx.originalSequenceNumber) }

        var unwrapper = RTPSequenceUnwrapper()
        _ = unwrapper.unwrap(header.sequenceNumber)
        _ = unwrapper.unwrap(header.sequenceNumber &+ 0x8000)

        // Rewrite a copy in place, and build an RTX packet from it.
        var copy = [UInt8](data)
        var map = RTPExtensionIDMap()
        map.set(1, to: 3)
        map.set(2, to: 14)
        let rewriter = RTPRewriter(ssrc: 0x1234_5678, payloadType: 96, extensionMap: map)
        copy.withUnsafeMutableBytes { buffer in
            _ = try? rewriter.rewrite(buffer, sequenceNumber: 1, timestamp: 2, marker: true)
        }
        h264(data)

        var rtx = [UInt8](repeating: 0, count: data.count + 2)
        rtx.withUnsafeMutableBytes { out in
            _ = try? RTXPayload.writePacket(
                original: data, header: header, rtxSSRC: 1, rtxPayloadType: 97, rtxSequenceNumber: 3, into: out)
        }
        _ = sink
    }

    /// The input as an H.264 access unit (Annex B): every planned payload fits, and the NAL units
    /// come back whole from single, STAP-A and FU-A payloads.
    static func h264(_ data: UnsafeRawBufferPointer) {
        let units = H264Packetizer.nalUnits(data).map { UnsafeRawBufferPointer(rebasing: data[$0]) }
        var parameterSets = H264ParameterSets()
        _ = parameterSets.needsInjection(parameterSets.observe(units))
        let maxPayload = 64
        var rebuilt: [[UInt8]] = []
        var fragment: [UInt8] = []
        var out = [UInt8](repeating: 0, count: maxPayload)
        for packet in H264Packetizer.plan(nalSizes: units.map(\.count), maxPayloadSize: maxPayload) {
            let n = out.withUnsafeMutableBytes { (try? H264Packetizer.write(packet, nals: units, into: $0)) ?? -1 }
            precondition(n > 0 && n <= maxPayload, "H.264 payload over the size")
            let payload = Array(out[0..<n])
            switch packet {
            case .single: rebuilt.append(payload)
            case .stapA:
                var offset = 1
                while offset + 2 <= payload.count {
                    let size = Int(payload[offset]) << 8 | Int(payload[offset + 1])
                    rebuilt.append(Array(payload[(offset + 2)..<(offset + 2 + size)]))
                    offset += 2 + size
                }
            case .fuA(_, _, let start, let end):
                if start { fragment = [payload[0] & 0xE0 | payload[1] & 0x1F] }
                fragment += payload[2...]
                if end { rebuilt.append(fragment) }
            }
        }
        precondition(rebuilt == units.filter { !$0.isEmpty }.map { Array($0) }, "H.264 packetization lost bytes")
    }
}
