/// The SPS and PPS a runner's H.264 stream last carried (streaming.md §3.4): scrcpy sends them once
/// per encoder session, so they are kept and sent again, as one STAP-A with the IDR's timestamp,
/// before every IDR that comes without them; a late joiner can then always decode.
public struct H264ParameterSets: Sendable, Equatable {
    public private(set) var sps: [UInt8]?
    public private(set) var pps: [UInt8]?

    public init() {}

    /// What an access unit holds, for `injection`.
    public struct Contents: Sendable, Equatable {
        public var hasSPS = false
        public var hasPPS = false
        public var hasIDR = false
        /// A new SPS (different from the cached one) arrived.
        public var spsChanged = false
    }

    /// Caches the access unit's SPS and PPS (each replaces the last) and says what it holds.
    public mutating func observe(_ nals: [UnsafeRawBufferPointer]) -> Contents {
        var contents = Contents()
        for unit in nals {
            guard let header = unit.first else { continue }
            switch header & 0x1F {
            case 5: contents.hasIDR = true
            case 7:
                contents.hasSPS = true
                let bytes = Array(unit)
                if sps != bytes {
                    sps = bytes
                    contents.spsChanged = true
                }
            case 8:
                contents.hasPPS = true
                pps = Array(unit)
            default: break
            }
        }
        return contents
    }

    /// Whether the cached SPS and PPS must go before this access unit: an IDR without them.
    public func needsInjection(_ contents: Contents) -> Bool {
        contents.hasIDR && !(contents.hasSPS && contents.hasPPS) && sps != nil && pps != nil
    }
}
