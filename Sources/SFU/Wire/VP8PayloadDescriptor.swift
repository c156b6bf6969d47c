/// A parsed VP8 RTP payload descriptor (RFC 7741 §4.2).
///
/// ```
///  X|R|N|S|R|PID     first byte
///  I|L|T|K|RSV       if X
///  M|PictureID       if I (one byte, or two when M = 1: 15-bit id)
///  TL0PICIDX         if L
///  TID|Y|KEYIDX      if T or K
/// ```
public struct VP8PayloadDescriptor: Sendable, Equatable {
    /// X bit: the extension byte is present.
    public var extended: Bool
    /// N bit: the frame can be discarded without affecting others.
    public var nonReference: Bool
    /// S bit: this packet starts a VP8 partition.
    public var startOfPartition: Bool
    /// Partition index (PID, 0...7).
    public var partitionID: UInt8
    /// PictureID (7 or 15 bits) when I = 1.
    public var pictureID: UInt16?
    /// True when the PictureID is the 15-bit form (M = 1).
    public var pictureIDIs15Bit: Bool
    /// TL0PICIDX when L = 1.
    public var tl0PicIdx: UInt8?
    /// Temporal layer index (TID) when T = 1.
    public var temporalLayerID: UInt8?
    /// Layer sync bit (Y); meaningful only when T = 1.
    public var layerSync: Bool
    /// Temporal key frame index (KEYIDX) when K = 1.
    public var keyIndex: UInt8?
    /// Descriptor length in bytes = offset of the VP8 payload.
    public var length: Int

    /// Parses the descriptor at the start of an RTP payload.
    public init(parsing payload: UnsafeRawBufferPointer) throws(RTPParseError) {
        let n = payload.count
        guard n >= 1 else { throw .truncated }
        let b0 = payload[0]
        extended = b0 & 0x80 != 0
        nonReference = b0 & 0x20 != 0
        startOfPartition = b0 & 0x10 != 0
        partitionID = b0 & 0x07
        pictureID = nil
        pictureIDIs15Bit = false
        tl0PicIdx = nil
        temporalLayerID = nil
        layerSync = false
        keyIndex = nil
        var o = 1
        if extended {
            guard o < n else { throw .truncated }
            let x = payload[o]
            o += 1
            if x & 0x80 != 0 {  // I
                guard o < n else { throw .truncated }
                let p0 = payload[o]
                o += 1
                if p0 & 0x80 != 0 {
                    guard o < n else { throw .truncated }
                    pictureID = UInt16(p0 & 0x7F) << 8 | UInt16(payload[o])
                    pictureIDIs15Bit = true
                    o += 1
                } else {
                    pictureID = UInt16(p0)
                }
            }
            if x & 0x40 != 0 {  // L
                guard o < n else { throw .truncated }
                tl0PicIdx = payload[o]
                o += 1
            }
            let t = x & 0x20 != 0
            let k = x & 0x10 != 0
            if t || k {
                guard o < n else { throw .truncated }
                let b = payload[o]
                o += 1
                if t {
                    temporalLayerID = b >> 6
                    layerSync = b & 0x20 != 0
                }
                if k { keyIndex = b & 0x1F }
            }
        }
        length = o
    }

    /// True for the first packet of a frame (S = 1 and PID = 0).
    public var isStartOfFrame: Bool { startOfPartition && partitionID == 0 }
}
