/// Splits a byte stream of self-delimiting messages (control or device messages, each at most 2^18
/// bytes) into whole messages. Messages that lie inside one chunk are handed over in place; only
/// a message split across chunks is copied, into one reused buffer, so memory stays below 2^18
/// bytes whatever the peer sends.
struct ScrcpyMessageAssembler: Sendable {
    private var pending: [UInt8] = []

    /// Bytes of an incomplete message held back.
    var bufferedByteCount: Int { pending.count }

    /// - Parameters:
    ///   - length: the bytes the message at the start of a buffer needs as far as the buffer tells
    ///     (more than the buffer holds while its length fields are incomplete).
    ///   - message: called with exactly one whole message.
    mutating func feed(
        _ chunk: UnsafeRawBufferPointer,
        length: (UnsafeRawBufferPointer) throws(ScrcpyProtocolError) -> Int,
        message: (UnsafeRawBufferPointer) -> Void
    ) throws(ScrcpyProtocolError) {
        var input = chunk
        // Finish the message begun in an earlier chunk, taking only its own bytes.
        while !pending.isEmpty {
            let need = try withPending(length)
            if pending.count >= need {
                pending.withUnsafeBytes { message($0) }
                pending.removeAll(keepingCapacity: true)
                break
            }
            guard !input.isEmpty else { return }
            let n = min(need - pending.count, input.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<n]))
            input = UnsafeRawBufferPointer(rebasing: input[n...])
        }
        // Whole messages straight from the chunk; keep the tail.
        while !input.isEmpty {
            let need = try length(input)
            guard input.count >= need else { break }
            message(UnsafeRawBufferPointer(rebasing: input[0..<need]))
            input = UnsafeRawBufferPointer(rebasing: input[need...])
        }
        if !input.isEmpty {
            pending.append(contentsOf: input)
        }
    }

    /// At end of stream: throws when the stream ended inside a message (`needed` is as much of the
    /// message's length as its received bytes tell).
    func finish(
        item: String, length: (UnsafeRawBufferPointer) throws(ScrcpyProtocolError) -> Int
    ) throws(ScrcpyProtocolError) {
        guard !pending.isEmpty else { return }
        throw .unexpectedEndOfStream(item: item, received: pending.count, needed: try withPending(length))
    }

    private func withPending(
        _ body: (UnsafeRawBufferPointer) throws(ScrcpyProtocolError) -> Int
    ) throws(ScrcpyProtocolError) -> Int {
        let result: Result<Int, ScrcpyProtocolError> = pending.withUnsafeBytes { buffer in
            do throws(ScrcpyProtocolError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
