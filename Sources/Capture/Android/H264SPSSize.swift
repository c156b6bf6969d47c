/// The picture size an H.264 sequence parameter set describes (scrcpy.md §11.4): scrcpy 3.3.4
/// announces a rotation only through the new SPS of the restarted encoder, and touch events must be
/// stamped with that size. Reads the first SPS of an Annex-B buffer, removes emulation-prevention
/// bytes, skips the High-profile chroma/bit-depth/scaling-matrix fields, and applies the cropping.
public struct H264SPSSize: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// nil when the buffer holds no SPS or the SPS is malformed.
    public init?(annexB bytes: [UInt8]) {
        guard let sps = Self.firstSPS(bytes), let size = Self.parse(rbsp: Self.unescape(sps)) else { return nil }
        self = size
    }

    static let highProfiles: Set<Int> = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]

    /// The SPS NAL unit's bytes after its header byte, up to the next start code.
    static func firstSPS(_ b: [UInt8]) -> ArraySlice<UInt8>? {
        var i = 0
        while i + 3 < b.count {
            if b[i] == 0, b[i + 1] == 0, b[i + 2] == 1 {
                let start = i + 3
                if b[start] & 0x1F == 7 {
                    var end = start + 1
                    while end + 2 < b.count, !(b[end] == 0 && b[end + 1] == 0 && (b[end + 2] == 1 || b[end + 2] == 0)) { end += 1 }
                    if end + 2 >= b.count { end = b.count }
                    return b[(start + 1)..<end]
                }
                i = start
            } else {
                i += 1
            }
        }
        return nil
    }

    /// RBSP: every `00 00 03` loses its `03`.
    static func unescape(_ nal: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nal.count)
        var zeros = 0
        for byte in nal {
            if zeros >= 2 && byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            out.append(byte)
        }
        return out
    }

    struct BitReader {
        let bytes: [UInt8]
        var position = 0

        mutating func bit() -> Int? {
            guard position < bytes.count * 8 else { return nil }
            defer { position += 1 }
            return Int(bytes[position / 8] >> (7 - UInt8(position % 8))) & 1
        }

        mutating func bits(_ n: Int) -> Int? {
            var value = 0
            for _ in 0..<n {
                guard let b = bit() else { return nil }
                value = value << 1 | b
            }
            return value
        }

        /// Exp-Golomb ue(v).
        mutating func ue() -> Int? {
            var zeros = 0
            while true {
                guard let b = bit() else { return nil }
                if b == 1 { break }
                zeros += 1
                if zeros > 31 { return nil }
            }
            guard let rest = bits(zeros) else { return nil }
            return (1 << zeros) - 1 + rest
        }

        mutating func se() -> Int? {
            guard let k = ue() else { return nil }
            return k % 2 == 1 ? (k + 1) / 2 : -(k / 2)
        }
    }

    static func parse(rbsp: [UInt8]) -> H264SPSSize? {
        var r = BitReader(bytes: rbsp)
        guard let profile = r.bits(8), r.bits(16) != nil, r.ue() != nil else { return nil }
        var chromaFormat = 1
        var separateColourPlane = false
        if highProfiles.contains(profile) {
            guard let format = r.ue() else { return nil }
            chromaFormat = format
            if format == 3 { separateColourPlane = r.bit() == 1 }
            guard r.ue() != nil, r.ue() != nil, r.bit() != nil, let matrix = r.bit() else { return nil }
            if matrix == 1 {
                for index in 0..<(chromaFormat != 3 ? 8 : 12) {
                    guard let present = r.bit() else { return nil }
                    if present == 1 {
                        var last = 8
                        var next = 8
                        for _ in 0..<(index < 6 ? 16 : 64) where next != 0 {
                            guard let delta = r.se() else { return nil }
                            next = (last + delta + 256) % 256
                            last = next == 0 ? last : next
                        }
                    }
                }
            }
        }
        guard r.ue() != nil, let pocType = r.ue() else { return nil }
        if pocType == 0 {
            guard r.ue() != nil else { return nil }
        } else if pocType == 1 {
            guard r.bit() != nil, r.se() != nil, r.se() != nil, let cycle = r.ue(), cycle < 256 else { return nil }
            for _ in 0..<cycle { guard r.se() != nil else { return nil } }
        }
        guard r.ue() != nil, r.bit() != nil, let widthMbs = r.ue(), let heightUnits = r.ue(), let frameMbsOnly = r.bit() else {
            return nil
        }
        if frameMbsOnly == 0 { guard r.bit() != nil else { return nil } }
        guard r.bit() != nil, let cropping = r.bit() else { return nil }
        var crop = (left: 0, right: 0, top: 0, bottom: 0)
        if cropping == 1 {
            guard let l = r.ue(), let rt = r.ue(), let t = r.ue(), let b = r.ue() else { return nil }
            crop = (l, rt, t, b)
        }
        let monochromeLike = chromaFormat == 0 || separateColourPlane
        let subWidth = monochromeLike || chromaFormat == 3 ? 1 : 2
        let subHeight = monochromeLike || chromaFormat != 1 ? 1 : 2
        let cropUnitX = subWidth
        let cropUnitY = subHeight * (2 - frameMbsOnly)
        let width = (widthMbs + 1) * 16 - cropUnitX * (crop.left + crop.right)
        let height = (2 - frameMbsOnly) * (heightUnits + 1) * 16 - cropUnitY * (crop.top + crop.bottom)
        guard width > 0, height > 0 else { return nil }
        return H264SPSSize(width: width, height: height)
    }
}
