/// A synthetic VP8 video stream at a target bitrate: 30 frames/s, a keyframe every `keyframeInterval`
/// frames (4x a delta frame's size, as encoders spend on them), each frame split into RTP packets of at
/// most `maxPayload` bytes with RFC 7741 payload descriptors (15-bit PictureID, S on the first packet,
/// marker on the last). The payload is filler behind a valid VP8 frame tag; nobody decodes it.
struct VP8StreamGenerator {
    struct Packet {
        var bytes: [UInt8]
        /// Where the payload starts (the send-time trailer is at its end).
        var payloadOffset: Int
    }

    let ssrc: UInt32
    let payloadType: UInt8
    let fps: Int
    let keyframeInterval: Int
    let deltaFrameBytes: Int
    let maxPayload: Int
    private var sequence: UInt16 = UInt16.random(in: 0...UInt16.max)
    /// RTP timestamp of the first frame (sender reports map wallclock to RTP time from it).
    let initialTimestamp = UInt32.random(in: 0...UInt32.max)
    private lazy var timestamp: UInt32 = initialTimestamp
    private var pictureID: UInt16 = UInt16.random(in: 0...0x7fff)
    private(set) var frameIndex = 0
    private(set) var packetsSent: UInt32 = 0
    private(set) var payloadOctetsSent: UInt32 = 0

    static let keyframeWeight = 4

    init(bitrate: Int, ssrc: UInt32, payloadType: UInt8 = 96, fps: Int = 30, keyframeSeconds: Int = 2, maxPayload: Int = 1100) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.fps = fps
        self.keyframeInterval = fps * keyframeSeconds
        self.maxPayload = maxPayload
        // bytes per keyframe interval = (interval - 1) delta frames + one keyframe of `keyframeWeight` deltas.
        let intervalBytes = bitrate / 8 * keyframeSeconds
        self.deltaFrameBytes = intervalBytes / (keyframeInterval - 1 + Self.keyframeWeight)
    }

    /// The packets of the next frame, in send order.
    mutating func nextFrame() -> [Packet] {
        let keyframe = frameIndex % keyframeInterval == 0
        let frameBytes = keyframe ? deltaFrameBytes * Self.keyframeWeight : deltaFrameBytes
        let count = max(1, (frameBytes + maxPayload - 1) / maxPayload)
        var packets: [Packet] = []
        packets.reserveCapacity(count)
        for index in 0..<count {
            let first = index == 0
            let last = index == count - 1
            let size = frameBytes / count + (index < frameBytes % count ? 1 : 0)
            var bytes = [UInt8](repeating: 0, count: 12)
            bytes[0] = 0x80
            bytes[1] = payloadType | (last ? 0x80 : 0)
            bytes[2] = UInt8(sequence >> 8)
            bytes[3] = UInt8(truncatingIfNeeded: sequence)
            for i in 0..<4 { bytes[4 + i] = UInt8(truncatingIfNeeded: timestamp >> (24 - 8 * UInt32(i))) }
            for i in 0..<4 { bytes[8 + i] = UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * UInt32(i))) }
            // Descriptor: X=1, S on the first packet, PID 0; I=1; M=1 with a 15-bit PictureID.
            bytes += [0x80 | (first ? 0x10 : 0), 0x80, 0x80 | UInt8(pictureID >> 8), UInt8(truncatingIfNeeded: pictureID)]
            if first {
                // Frame tag: P=0 on keyframes (what SFUs look at), show_frame=1; keyframes add the start code and 1280x720.
                bytes += keyframe ? [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02] : [0x11, 0x02, 0x00]
            }
            let payloadOffset = 12
            let filler = max(size - (bytes.count - payloadOffset), BenchPayload.trailerLength)
            bytes += (0..<filler).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            packets.append(Packet(bytes: bytes, payloadOffset: payloadOffset))
            packetsSent &+= 1
            payloadOctetsSent &+= UInt32(bytes.count - payloadOffset)
            sequence &+= 1
        }
        frameIndex += 1
        pictureID = (pictureID &+ 1) & 0x7fff
        timestamp &+= UInt32(90_000 / fps)
        return packets
    }
}
