import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Capture

/// Real libvpx: encode the test pattern, decode it again, read the bar code back.
/// Serialized: the encode timings and bitrate checks should not compete with each other for 2 cores.
@Suite(.serialized) struct VPXEncoderTests {
    static let base: Int64 = 1_700_000_000_000

    /// Capture time of frame i at 30 fps: 33 or 34 ms apart, as a millisecond clock gives them.
    static func time(_ i: Int) -> Int64 { base + Int64(i) * 1000 / 30 }
    static func pts(_ i: Int) -> Int64 { Int64(i) * 1_000_000 / 30 }

    static func nanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// Encodes 60 frames of the 1280×720 test pattern (a key frame forced at `keyframeAt`), decodes
    /// each output and counts the bar codes read back exactly. At most one packet per frame (one
    /// token partition for VP8, lag 0 so no hidden alt-ref frames for VP9).
    static func encodeTestPattern(_ encoder: VPXEncoder, decoder: VPXTestDecoder, keyframeAt: Int? = nil) throws
        -> (outputs: [(index: Int, frame: EncodedFrame)], readBack: Int, encodeNanoseconds: [Int64])
    {
        let source = TestPatternSource()
        var frame = I420Frame(width: 1280, height: 720)
        var outputs: [(index: Int, frame: EncodedFrame)] = []
        var encodeNanoseconds: [Int64] = []
        var readBack = 0
        for i in 0..<60 {
            source.render(into: &frame, timeMs: time(i), index: i)
            let started = nanoseconds()
            let encoded = try encoder.encode(i420: frame, ptsMicroseconds: pts(i), forceKeyframe: i == keyframeAt)
            encodeNanoseconds.append(nanoseconds() - started)
            #expect(encoded.count <= 1, "one packet per frame")
            for output in encoded {
                outputs.append((i, output))
                let decoded = try decoder.decode(output.data)
                #expect(decoded.width == 1280 && decoded.height == 720)
                if BarcodeReader.read(decoded) == time(i) { readBack += 1 }
            }
        }
        return (outputs, readBack, encodeNanoseconds)
    }

    @Test func encodes720pTestPatternThatDecodesWithItsCaptureTime() throws {
        let (outputs, readBack, encodeNanoseconds) = try Self.encodeTestPattern(
            VPXEncoder(trackID: "video", bitrateKbps: 4000), decoder: VPXTestDecoder())
        #expect(outputs.count >= 57, "rate control dropped \(60 - outputs.count) of 60 frames")
        #expect(outputs.first?.index == 0 && outputs.first?.frame.keyframe == true, "the first frame must be key")
        #expect(outputs.dropFirst().allSatisfy { !$0.frame.keyframe }, "key frames only at the start and on request")
        #expect(outputs.allSatisfy { $0.frame.codec == "vp8" && $0.frame.trackID == "video" && $0.frame.width == 1280 })
        #expect(outputs.map(\.frame.ptsMicroseconds) == outputs.map { Self.pts($0.index) })
        #expect(readBack >= outputs.count - 3, "bar code read back exactly from \(readBack) of \(outputs.count) decoded frames")

        // CBR at 4,000 kbit/s for 2 s is 1,000,000 bytes; the key frame may take up to 9 frames' budget.
        let bytes = outputs.reduce(0) { $0 + $1.frame.data.count }
        let target = 4000 * 1000 / 8 * 2
        #expect(bytes > target / 3 && bytes < target * 3 / 2, "\(bytes) bytes for a \(target)-byte budget")

        let sorted = encodeNanoseconds.sorted()
        let p50 = Double(sorted[sorted.count / 2]) / 1e6, p95 = Double(sorted[sorted.count * 95 / 100]) / 1e6
        print(
            "VP8 encode 1280x720 testsrc @4000 kbit/s, cpu-used -6, 1 thread: p50 \(rounded(p50)) ms, p95 \(rounded(p95)) ms, "
                + "\(bytes) bytes / 60 frames (\(bytes * 8 / 2000) kbit/s), key frame \(outputs[0].frame.data.count) bytes, "
                + "bar code read back \(readBack)/\(outputs.count)")
    }

    @Test func forcedKeyframeAndBitrateChange() throws {
        let source = TestPatternSource()
        let encoder = try VPXEncoder(trackID: "video", bitrateKbps: 4000)
        var frame = I420Frame(width: 1280, height: 720)
        var bytesHigh = 0, bytesLow = 0
        for i in 0..<120 {
            if i == 60 { try encoder.setBitrate(kbps: 800) }
            source.render(into: &frame, timeMs: Self.time(i), index: i)
            let encoded = try encoder.encode(i420: frame, ptsMicroseconds: Self.pts(i), forceKeyframe: i == 30)
            for output in encoded {
                #expect(output.keyframe == (i == 0 || i == 30), "frame \(i) keyframe \(output.keyframe)")
                // Skip the half second after the change while the rate controller's buffer adapts.
                if (31..<60).contains(i) { bytesHigh += output.data.count }
                if (90..<119).contains(i) { bytesLow += output.data.count }
            }
        }
        #expect(encoder.bitrateKbps == 800)
        #expect(bytesLow * 2 < bytesHigh, "800 kbit/s: \(bytesLow) bytes vs 4000 kbit/s: \(bytesHigh) bytes")
        print("VP8 bitrate change: 29 frames at 4000 kbit/s \(bytesHigh) bytes, at 800 kbit/s \(bytesLow) bytes")
    }

    @Test func sizeChangeRecreatesTheEncoder() throws {
        let encoder = try VPXEncoder(trackID: "video", bitrateKbps: 2000)
        let decoder = try VPXTestDecoder()
        let sizes = [(1280, 720), (640, 360), (1280, 720), (1920, 1080)]
        var index = 0
        for (number, (width, height)) in sizes.enumerated() {
            let source = TestPatternSource(width: width, height: height)
            for n in 0..<3 {
                let encoded = try encoder.encode(
                    i420: source.frame(at: Self.time(index), index: index), ptsMicroseconds: Self.pts(index))
                for output in encoded {
                    #expect(output.keyframe == (n == 0), "\(width)x\(height) frame \(n)")
                    #expect(output.width == width && output.height == height)
                    let decoded = try decoder.decode(output.data)
                    #expect(decoded.width == width && decoded.height == height)
                }
                index += 1
            }
            #expect(encoder.contextsCreated == number + 1)
            #expect(encoder.size?.width == width && encoder.size?.height == height)
        }
    }

    @Test func vp9EncodesTheTestPatternThatDecodesWithItsCaptureTime() throws {
        let (outputs, readBack, encodeNanoseconds) = try Self.encodeTestPattern(
            VPXEncoder(codec: .vp9, trackID: "video", bitrateKbps: 2500), decoder: VPXTestDecoder(codec: .vp9), keyframeAt: 40)
        #expect(outputs.count >= 57, "rate control dropped \(60 - outputs.count) of 60 frames")
        #expect(outputs.allSatisfy { $0.frame.keyframe == ($0.index == 0 || $0.index == 40) }, "key frames at the start and on request")
        #expect(outputs.allSatisfy { $0.frame.codec == "vp9" && $0.frame.trackID == "video" })
        #expect(readBack >= outputs.count - 3, "bar code read back exactly from \(readBack) of \(outputs.count) decoded frames")
        let bytes = outputs.reduce(0) { $0 + $1.frame.data.count }
        let target = 2500 * 1000 / 8 * 2
        #expect(bytes > target / 3 && bytes < target * 2, "\(bytes) bytes for a \(target)-byte budget")
        let sorted = encodeNanoseconds.sorted()
        print(
            "VP9 encode 1280x720 testsrc @2500 kbit/s, speed 8, 1 thread: p50 \(rounded(Double(sorted[30]) / 1e6)) ms, "
                + "\(bytes) bytes / 60 frames, key frame \(outputs[0].frame.data.count) bytes, bar code read back \(readBack)/\(outputs.count)")
    }

    @Test func rejectsBadSettingsWithTypedErrors() throws {
        #expect(throws: VPXEncoderError.invalidInput("bitrate 0 kbit/s")) { try VPXEncoder(trackID: "v", bitrateKbps: 0) }
        let encoder = try VPXEncoder(trackID: "v", bitrateKbps: 1000)
        #expect(throws: VPXEncoderError.self) { try encoder.setBitrate(kbps: -5) }
        #expect(encoder.bitrateKbps == 1000)
    }

    private func rounded(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
