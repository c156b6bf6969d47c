/// Incremental parser of one scrcpy video or audio socket (scrcpy.md §4.4, §5): takes the bytes in
/// whatever chunks the socket delivers and reports `ScrcpyStreamEvent`s in order.
///
/// Layouts: [64-byte device meta, first socket only] codec id u32, then
/// - 3.3.4 video: `width u32, height u32` once, then 12-byte frame headers + payloads;
/// - 4.1 video: a 12-byte session packet first, then frame headers + payloads, with a session
///   packet again at every encoder restart;
/// - audio (both): frame headers + payloads.
///
/// Copies: a fixed-size item (meta, codec id, size, header) is read straight from the chunk unless it
/// straddles two chunks, when its bytes wait in a small reused buffer. A payload is copied once,
/// from the chunk into an array reserved at its exact size, which the event then owns. Nothing else
/// is allocated per packet. The first error is sticky: the stream is unusable after it, and every
/// later call throws it again.
public struct ScrcpyStreamParser: Sendable {
    public let version: ScrcpyVersion
    public let stream: ScrcpyStreamKind
    /// Largest payload accepted (`ScrcpyFrameHeader.maxPayloadSize` by default).
    public let maxPayloadSize: Int
    /// The stream's codec, once read.
    public private(set) var codec: ScrcpyCodecID?
    /// The latest video size: the 3.3.4 header, or the latest 4.1 session packet. On 3.3.4 a
    /// rotation changes only the SPS, not this (scrcpy.md §11.4).
    public private(set) var videoSize: ScrcpyVideoSize?

    private enum State: Sendable {
        case deviceMeta
        case codecID
        case videoSizeHeader
        case firstSession
        case header
        case payload(ScrcpyFrameHeader)
        case disabled
        case failed(ScrcpyProtocolError)
    }

    private var state: State
    /// Bytes of a fixed-size item split across chunks (capacity reserved once).
    private var scratch: [UInt8] = []
    /// The payload being received.
    private var payload: [UInt8] = []

    /// - Parameter expectsDeviceMeta: this is the first socket, so the 64-byte device meta comes
    ///   before the codec id (the forward-mode dummy byte is read by the connector, not here).
    public init(
        version: ScrcpyVersion, stream: ScrcpyStreamKind, expectsDeviceMeta: Bool = false,
        maxPayloadSize: Int = ScrcpyFrameHeader.maxPayloadSize
    ) {
        self.version = version
        self.stream = stream
        self.maxPayloadSize = min(maxPayloadSize, Int(UInt32.max))
        state = expectsDeviceMeta ? .deviceMeta : .codecID
        scratch.reserveCapacity(ScrcpyDeviceMeta.length)
    }

    /// The device sent codec id 0: the socket is done.
    public var isDisabled: Bool {
        if case .disabled = state { return true }
        return false
    }

    /// Consumes `chunk` and reports every event it completes. Incomplete items wait for the next
    /// chunk. Throws the first protocol error (after reporting the events before it).
    public mutating func parse(
        _ chunk: UnsafeRawBufferPointer, _ emit: (ScrcpyStreamEvent) -> Void
    ) throws(ScrcpyProtocolError) {
        var input = chunk
        do throws(ScrcpyProtocolError) {
            try run(&input, emit)
        } catch {
            state = .failed(error)
            payload = []
            scratch = []
            throw error
        }
    }

    /// Convenience for tests and small callers: the events `bytes` completes. On an error the
    /// events before it are not returned; use the closure form to keep them.
    public mutating func parse(_ bytes: [UInt8]) throws(ScrcpyProtocolError) -> [ScrcpyStreamEvent] {
        var events: [ScrcpyStreamEvent] = []
        let failure = bytes.withUnsafeBytes { (buffer) -> ScrcpyProtocolError? in
            do throws(ScrcpyProtocolError) {
                try parse(buffer) { events.append($0) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return events
    }

    /// Call at end of stream: throws unless the socket ended between two packets (or after the device
    /// disabled the stream). An end before the codec id, a size header or the first session packet,
    /// or inside any item, is an error, as for the reference client.
    public func finish() throws(ScrcpyProtocolError) {
        switch state {
        case .failed(let error): throw error
        case .disabled: return
        case .header where scratch.isEmpty: return
        case .payload(let header):
            throw .unexpectedEndOfStream(
                item: header.isConfig ? "config packet" : "media packet", received: payload.count,
                needed: Int(header.payloadSize))
        default:
            let (item, needed) = fixedItem
            throw .unexpectedEndOfStream(item: item, received: scratch.count, needed: needed)
        }
    }

    private var fixedItem: (name: String, length: Int) {
        switch state {
        case .deviceMeta: ("device meta", ScrcpyDeviceMeta.length)
        case .codecID: ("codec id", 4)
        case .videoSizeHeader: ("video size header", ScrcpyVideoSize.headerLength)
        case .firstSession: ("session packet", ScrcpySessionPacket.length)
        default: ("frame header", ScrcpyFrameHeader.length)
        }
    }

    private mutating func run(
        _ input: inout UnsafeRawBufferPointer, _ emit: (ScrcpyStreamEvent) -> Void
    ) throws(ScrcpyProtocolError) {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .disabled:
                guard input.isEmpty else { throw .dataAfterStreamDisabled(stream: stream) }
                return
            case .payload(let header):
                guard !input.isEmpty else { return }
                let want = Int(header.payloadSize) - payload.count
                let n = min(want, input.count)
                payload.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<n]))
                input = UnsafeRawBufferPointer(rebasing: input[n...])
                guard n == want else { return }
                var done: [UInt8] = []
                swap(&done, &payload)  // hand the buffer to the event without a copy
                state = .header
                if let pts = header.ptsMicroseconds {
                    emit(.media(ScrcpyMediaPacket(isKeyFrame: header.isKeyFrame, ptsMicroseconds: pts, payload: done)))
                } else {
                    emit(.config(done))
                }
            default:
                let need = fixedItem.length
                if scratch.isEmpty && input.count >= need {
                    try consumeFixed(UnsafeRawBufferPointer(rebasing: input[0..<need]), emit)
                    input = UnsafeRawBufferPointer(rebasing: input[need...])
                    continue
                }
                guard !input.isEmpty else { return }
                let n = min(need - scratch.count, input.count)
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<n]))
                input = UnsafeRawBufferPointer(rebasing: input[n...])
                guard scratch.count == need else { return }
                // Move the scratch out so that consumeFixed may mutate self while reading it.
                var item: [UInt8] = []
                swap(&item, &scratch)
                let failure = item.withUnsafeBytes { (bytes) -> ScrcpyProtocolError? in
                    do throws(ScrcpyProtocolError) {
                        try consumeFixed(bytes, emit)
                        return nil
                    } catch {
                        return error
                    }
                }
                item.removeAll(keepingCapacity: true)
                swap(&item, &scratch)
                if let failure { throw failure }
            }
        }
    }

    /// Handles one complete fixed-size item of the current state.
    private mutating func consumeFixed(
        _ bytes: UnsafeRawBufferPointer, _ emit: (ScrcpyStreamEvent) -> Void
    ) throws(ScrcpyProtocolError) {
        switch state {
        case .deviceMeta:
            emit(.deviceMeta(try ScrcpyDeviceMeta(parsing: bytes)))
            state = .codecID
        case .codecID:
            let id = ScrcpyCodecID(rawValue: ScrcpyBytes.u32(bytes, 0))
            switch id {
            case .disabled:
                state = .disabled
                emit(.disabled)
            case .configurationError:
                throw .deviceConfigurationError(stream: stream)
            default:
                guard id.isCodec(of: stream, in: version) else {
                    throw .unknownCodec(id: id.rawValue, stream: stream, version: version)
                }
                codec = id
                emit(.codec(id))
                if stream == .audio {
                    state = .header
                } else {
                    state = version.hasVideoSizeHeader ? .videoSizeHeader : .firstSession
                }
            }
        case .videoSizeHeader:
            let size = try ScrcpyVideoSize(parsingHeader: bytes)
            videoSize = size
            state = .header
            emit(.videoSize(size))
        case .firstSession, .header:
            if version.hasSessionPackets && ScrcpySessionPacket.isSessionPacket(firstByte: bytes[0]) {
                guard stream == .video else { throw .unexpectedSessionPacket(stream: stream) }
                let session = try ScrcpySessionPacket(parsing: bytes)
                videoSize = session.size
                state = .header
                emit(.session(session))
                return
            }
            if case .firstSession = state { throw .missingSessionPacket }
            let header = try ScrcpyFrameHeader(
                parsing: bytes, version: version, stream: stream, maxPayloadSize: maxPayloadSize)
            payload.reserveCapacity(Int(header.payloadSize))
            state = .payload(header)
        case .payload, .disabled, .failed:
            preconditionFailure("no fixed-size item in this state")
        }
    }
}
