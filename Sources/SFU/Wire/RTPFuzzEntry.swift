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
        var rtx = [UInt8](repeating: 0, count: data.count + 2)
        rtx.withUnsafeMutableBytes { out in
            _ = try? RTXPayload.writePacket(
                original: data, header: header, rtxSSRC: 1, rtxPayloadType: 97, rtxSequenceNumber: 3, into: out)
        }
        _ = sink
    }
}
