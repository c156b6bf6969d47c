import FuzzDriver
import SFU

/// Every input goes through the RTP parser and whatever consumes its result. (libFuzzer's objects
/// reference this symbol even when its driver is started from our main.)
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    RTPFuzzEntry.run(bytes(start, count))
    return 0
}

runFuzzer(fuzzOne)
