import Capture
import FuzzDriver

/// Every input is one scrcpy control socket (byte 0 picks device meta and a chunk size): device
/// messages as the client reads them and control messages as the server reads them, whole and in
/// chunks, which must agree. (libFuzzer's objects reference this symbol even when its driver is
/// started from our main.)
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ScrcpyFuzzEntry.deviceMessages(bytes(start, count))
    return 0
}

runFuzzer(fuzzOne)
