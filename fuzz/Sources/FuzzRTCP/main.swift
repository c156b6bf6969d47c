import SFU

/// libFuzzer entry: every input goes through the RTCP parser and whatever consumes its result.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    RTCPFuzzEntry.run(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
