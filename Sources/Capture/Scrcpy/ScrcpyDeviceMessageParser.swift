/// Incremental reader of device messages on the control socket (scrcpy.md §7): several messages may
/// come in one read and one message may span many. At most one message (≤ 2^18 bytes) is ever
/// buffered; an unknown type or an oversized length is unrecoverable, and the first error sticks.
public struct ScrcpyDeviceMessageParser: Sendable {
    private var assembler = ScrcpyMessageAssembler()
    private var failure: ScrcpyProtocolError?
    /// The device meta's bytes while it is incomplete; nil once read or when not expected.
    private var meta: [UInt8]?

    /// - Parameter expectsDeviceMeta: the control socket is the first socket, so the 64-byte device
    ///   meta precedes the first message.
    public init(expectsDeviceMeta: Bool = false) {
        if expectsDeviceMeta {
            meta = []
            meta?.reserveCapacity(ScrcpyDeviceMeta.length)
        }
    }

    /// Bytes of an incomplete message (or device meta) waiting for more input.
    public var bufferedByteCount: Int { assembler.bufferedByteCount + (meta?.count ?? 0) }

    /// Consumes `chunk` and reports every whole event it completes; a partial one waits for the
    /// next chunk. Throws the first protocol error (after reporting what came before it).
    public mutating func parse(
        _ chunk: UnsafeRawBufferPointer, _ emit: (ScrcpyDeviceMessageEvent) -> Void
    ) throws(ScrcpyProtocolError) {
        if let failure { throw failure }
        var input = chunk
        if var bytes = meta {
            meta = nil  // keep `bytes` uniquely referenced while appending
            let n = min(ScrcpyDeviceMeta.length - bytes.count, input.count)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<n]))
            input = UnsafeRawBufferPointer(rebasing: input[n...])
            guard bytes.count == ScrcpyDeviceMeta.length else {
                meta = bytes
                return
            }
            let parsed = bytes.withUnsafeBytes { try? ScrcpyDeviceMeta(parsing: $0) }
            emit(.deviceMeta(parsed!))
        }
        do throws(ScrcpyProtocolError) {
            try assembler.feed(
                input, length: { (b) throws(ScrcpyProtocolError) in try ScrcpyDeviceMessage.requiredLength(b) },
                message: { emit(.message(ScrcpyDeviceMessage.decode($0))) })
        } catch {
            failure = error
            throw error
        }
    }

    /// Convenience for tests and small callers: the events `bytes` completes (none on an error).
    public mutating func parse(_ bytes: [UInt8]) throws(ScrcpyProtocolError) -> [ScrcpyDeviceMessageEvent] {
        var events: [ScrcpyDeviceMessageEvent] = []
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

    /// Call at end of stream: throws when it ended inside the device meta or a message.
    public func finish() throws(ScrcpyProtocolError) {
        if let failure { throw failure }
        if let meta {
            throw .unexpectedEndOfStream(item: "device meta", received: meta.count, needed: ScrcpyDeviceMeta.length)
        }
        try assembler.finish(item: "device message") { (b) throws(ScrcpyProtocolError) in
            try ScrcpyDeviceMessage.requiredLength(b)
        }
    }
}
