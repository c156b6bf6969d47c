/// Incremental reader of the control socket as the device sees it (for the device simulator and
/// tests): whole `ScrcpyControlMessage`s out of arbitrary chunks. Strict like the server: an
/// unknown type, or one `version` lacks, ends the stream (the first error is sticky).
public struct ScrcpyControlMessageParser: Sendable {
    public let version: ScrcpyVersion
    private var assembler = ScrcpyMessageAssembler()
    private var failure: ScrcpyProtocolError?

    public init(version: ScrcpyVersion) { self.version = version }

    /// Bytes of an incomplete message waiting for more input.
    public var bufferedByteCount: Int { assembler.bufferedByteCount }

    /// Consumes `chunk` and reports every whole message it completes; a partial one waits for the
    /// next chunk. Throws the first protocol error (after reporting what came before it).
    public mutating func parse(
        _ chunk: UnsafeRawBufferPointer, _ emit: (ScrcpyControlMessage) -> Void
    ) throws(ScrcpyProtocolError) {
        if let failure { throw failure }
        let version = self.version
        do throws(ScrcpyProtocolError) {
            try assembler.feed(
                chunk, length: { (b) throws(ScrcpyProtocolError) in try ScrcpyControlMessage.requiredLength(b, version: version) },
                message: { emit(ScrcpyControlMessage.decode($0)) })
        } catch {
            failure = error
            throw error
        }
    }

    /// Convenience for tests and small callers: the messages `bytes` completes (none on an error).
    public mutating func parse(_ bytes: [UInt8]) throws(ScrcpyProtocolError) -> [ScrcpyControlMessage] {
        var messages: [ScrcpyControlMessage] = []
        let failure = bytes.withUnsafeBytes { (buffer) -> ScrcpyProtocolError? in
            do throws(ScrcpyProtocolError) {
                try parse(buffer) { messages.append($0) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return messages
    }

    /// Call at end of stream: throws when it ended inside a message (the server would block, then
    /// see EOF).
    public func finish() throws(ScrcpyProtocolError) {
        if let failure { throw failure }
        let version = self.version
        try assembler.finish(item: "control message") { (b) throws(ScrcpyProtocolError) in
            try ScrcpyControlMessage.requiredLength(b, version: version)
        }
    }
}
