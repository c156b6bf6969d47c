import Testing

@testable import Capture

/// Bytes from a hex dump as scrcpy.md writes them (spaces carry no meaning).
func scrcpyHex(_ s: String) -> [UInt8] {
    let digits = s.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd hex: \(s)")
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}

/// Deterministic PRNG (SplitMix64) for reproducible splits and mutations.
struct ScrcpyTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}

/// Cuts `bytes` into chunks: every `size` bytes, or at random points when `size` is nil.
func scrcpyChunks(_ bytes: [UInt8], size: Int?, rng: inout ScrcpyTestRandom) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
        let n: Int
        if let size {
            n = size
        } else {
            // Mostly small pieces, sometimes large ones, sometimes empty reads.
            switch rng.below(4) {
            case 0: n = 0
            case 1: n = 1 + rng.below(16)
            case 2: n = 1 + rng.below(200)
            default: n = 1 + rng.below(70_000)
            }
        }
        let end = min(bytes.count, i + n)
        out.append(Array(bytes[i..<end]))
        i = end
    }
    return out
}

/// Runs a stream parser over `chunks`; returns the events and the first error (finish included).
func scrcpyStreamRun(
    _ chunks: [[UInt8]], version: ScrcpyVersion, stream: ScrcpyStreamKind, meta: Bool = false,
    maxPayloadSize: Int = ScrcpyFrameHeader.maxPayloadSize
) -> (events: [ScrcpyStreamEvent], error: ScrcpyProtocolError?) {
    var parser = ScrcpyStreamParser(version: version, stream: stream, expectsDeviceMeta: meta, maxPayloadSize: maxPayloadSize)
    var events: [ScrcpyStreamEvent] = []
    for chunk in chunks {
        let failure = chunk.withUnsafeBytes { (buffer) -> ScrcpyProtocolError? in
            scrcpyError { try parser.parse(buffer) { events.append($0) } }
        }
        if let failure { return (events, failure) }
    }
    do {
        try parser.finish()
    } catch {
        return (events, error)
    }
    return (events, nil)
}

/// The `ScrcpyProtocolError` `body` threw, or nil (any other error is recorded as an issue).
func scrcpyError<T>(_ body: () throws -> T) -> ScrcpyProtocolError? {
    do {
        _ = try body()
        return nil
    } catch let error as ScrcpyProtocolError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
