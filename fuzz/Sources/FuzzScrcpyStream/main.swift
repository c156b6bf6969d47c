import Capture
import FuzzDriver

/// Every input is one scrcpy video/audio socket (byte 0 picks version, stream kind, device meta and
/// a chunk size): parsed whole and in chunks, which must agree. (libFuzzer's objects reference this
/// symbol even when its driver is started from our main.)
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ScrcpyFuzzEntry.stream(bytes(start, count))
    return 0
}

runFuzzer(fuzzOne)
